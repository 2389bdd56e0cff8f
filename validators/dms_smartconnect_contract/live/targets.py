"""What a contract run is pointed at: the server, the known value of each path parameter, and how requests
authenticate (an IAM token, or AK/SK signing); from flags, else from the documented variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..contract import JsonObject, operations, read_document
from .signing import sign


@dataclass(frozen=True)
class Credentials:
    """How requests authenticate: an IAM token, or AK/SK signing (the secret key never leaves this object)."""

    token: str | None = None
    access_key: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    project_id: str | None = None

    def headers(self, method: str, url: str) -> dict[str, str]:
        if self.token:
            return {"X-Auth-Token": self.token}
        if self.access_key and self.secret_key:
            extra = {"Content-Type": "application/json"}
            if self.project_id:
                extra["X-Project-Id"] = self.project_id
            return sign(self.access_key, self.secret_key, method, url, extra)
        return {}


@dataclass(frozen=True)
class Target:
    """A server to test and what the tests need of it: the known value of each path parameter of the contract (a
    task that exists, in an instance that exists), from flags, else from the documented variables."""

    url: str | None
    known: dict[str, str]  # path parameter -> a value that names something that exists
    credentials: Credentials
    names: tuple[str, ...] = ()  # every path parameter of the contract's operations

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str], params: Mapping[str, str] | None = None, **flags: str | None
    ) -> Target:
        """Flags url, region and token, and `params` (a path parameter's value, by name); each falls back to its
        variable: SMARTCONNECT_<NAME>, then the SDK's own (HUAWEICLOUD_SDK_PROJECT_ID for the project)."""
        region = flags.get("region") or environ.get("SMARTCONNECT_REGION")
        url = flags.get("url") or environ.get("SMARTCONNECT_BASE_URL")
        if not url and region:
            url = f"https://dms.{region}.myhuaweicloud.{'eu' if region == 'eu-west-101' else 'com'}"
        names = path_parameters(read_document())
        given = params or {}
        known = {}
        for name in names:
            value = given.get(name) or next((environ[v] for v in variables(name) if environ.get(v)), "")
            if value:
                known[name] = value
        credentials = Credentials(
            token=flags.get("token") or environ.get("SMARTCONNECT_TOKEN"),
            access_key=environ.get("HUAWEICLOUD_SDK_AK"),
            secret_key=environ.get("HUAWEICLOUD_SDK_SK"),
            project_id=environ.get(SDK_PROJECT) or known.get(_sdk_named(names)),
        )
        return cls(url, known, credentials, tuple(names))

    def missing(self) -> list[str]:
        """What is not configured, named by flag and variable; empty when the tests can run."""
        sources: dict[str, Any] = {"--url, SMARTCONNECT_BASE_URL or SMARTCONNECT_REGION": self.url}
        for name in self.names:
            sources[f"--{name.replace('_', '-')} or {' or '.join(variables(name))}"] = self.known.get(name)
        sources["SMARTCONNECT_TOKEN, or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK"] = self.credentials.token or (
            self.credentials.access_key and self.credentials.secret_key
        )
        return [name for name, value in sources.items() if not value]


SDK_PROJECT = "HUAWEICLOUD_SDK_PROJECT_ID"  # the SDK's variable of the credentials' project
SDK_VARIABLES = frozenset({SDK_PROJECT})  # the official SDK's variables that name a value (beside AK and SK)


def variables(name: str) -> list[str]:
    """The variables that give a path parameter's known value: ours, then the SDK's when it has one."""
    found = [f"SMARTCONNECT_{name.upper()}"]
    sdk = f"HUAWEICLOUD_SDK_{name.upper()}"
    return [*found, sdk] if sdk in SDK_VARIABLES else found


def _sdk_named(names: list[str]) -> str:
    """The path parameter the SDK's project variable names (the credentials' project), if the contract has it."""
    return next((name for name in names if SDK_PROJECT in variables(name)), "")


def path_parameters(document: JsonObject) -> list[str]:
    """Every path parameter of the contract's operations, in the order the paths name them."""
    names: list[str] = []
    for operation in operations(document):
        names += [name for name in operation.parameters if name not in names]
    return names


def parameter_values(flags: list[str]) -> dict[str, str]:
    """`--name-with-dashes VALUE` (or `=VALUE`) pairs as the values of the contract's path parameters; ValueError,
    naming the parameters there are, for anything else."""
    names = set(path_parameters(read_document()))
    values: dict[str, str] = {}
    pending = list(flags)
    while pending:
        flag = pending.pop(0)
        name, equals, value = flag[2:].partition("=") if flag.startswith("--") else ("", "", "")
        name = name.replace("-", "_")
        if name not in names:
            known = ", ".join(f"--{known.replace('_', '-')}" for known in sorted(names))
            raise ValueError(f"unrecognized argument {flag!r} (path parameters of the contract: {known})")
        if not equals:
            if not pending:
                raise ValueError(f"{flag} needs a value")
            value = pending.pop(0)
        values[name] = value
    return values
