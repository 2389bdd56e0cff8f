"""The reference server: ShowConnectorTask over recorded task bodies, behaving like the real service.

An ASGI application (Starlette), served by uvicorn through `smartconnect-contract serve`. It authenticates with an
IAM token or an SDK-HMAC-SHA256 signature, validates IDs as DMS does, answers with DMS error bodies, and sets
X-Request-Id on every response. It can also start in a faulty mode, one fault class at a time, to prove that the
contract tests catch each kind of breakage.
"""

from __future__ import annotations

import copy
import hmac
import logging
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from ..contract import JsonObject, find_operation, read_document
from .reference_data import DEFAULT_INSTANCE_ID, DEFAULT_PROJECT_ID, FAULTS, PROJECT_ID, UUID
from .signing import verify

log = logging.getLogger("smartconnect_contract.server")


class DataError(Exception):
    """Task data that cannot be served."""


@dataclass
class ServerConfig:
    """What the server serves and whom it lets in."""

    tasks: dict[str, JsonObject]
    project_id: str = DEFAULT_PROJECT_ID
    instance_id: str = DEFAULT_INSTANCE_ID
    tokens: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # AK -> SK
    fault: str | None = None

    def __post_init__(self) -> None:
        if self.fault is not None and self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}; one of: {', '.join(FAULTS)}")
        if not self.tokens and not self.keys:
            raise ValueError("no credentials configured: give a token or an AK/SK pair")


def bundled_tasks() -> list[JsonObject]:
    """The 200 examples of the packaged contract (the API reference's example among them)."""
    document = read_document()
    operation = document["paths"][find_operation(document).path]["get"]
    examples = operation["responses"]["200"]["content"]["application/json"]["examples"]
    return [copy.deepcopy(example["value"]) for example in examples.values()]


def load_tasks(paths: Iterable[Path]) -> list[JsonObject]:
    """Task bodies from JSON files, JSONL files (a body per line) and folders of them."""
    bodies: list[JsonObject] = []
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.suffix in (".json", ".jsonl")) if path.is_dir() else [path]
        for file in files:
            try:
                raw = file.read_bytes()
                values = [orjson.loads(line) for line in raw.splitlines() if line.strip()]
                values = values if file.suffix == ".jsonl" else [orjson.loads(raw)]
            except (OSError, orjson.JSONDecodeError) as exc:
                raise DataError(f"{file}: cannot be read as task data ({exc})") from exc
            for value in values:
                if not isinstance(value, dict) or not isinstance(value.get("id"), str):
                    raise DataError(f"{file}: a task body must be an object with a string id")
                bodies.append(value)
    return bodies


def index_tasks(bodies: Iterable[JsonObject]) -> dict[str, JsonObject]:
    """Tasks by ID. A masked ID (`194917d0-****-...`) is kept as its unmasked prefix and answers any task ID that
    starts with it, so recorded bodies with masked IDs can still be served."""
    return {body["id"].split("*", 1)[0].rstrip("-"): body for body in bodies}


def _find(tasks: Mapping[str, JsonObject], task_id: str) -> JsonObject | None:
    if task_id in tasks:
        return tasks[task_id]
    return next((body for key, body in tasks.items() if len(key) < 36 and task_id.startswith(key + "-")), None)


def _error(status: int, code: str, message: str, request_id: str | None, gateway: bool = False) -> Response:
    body: JsonObject = {"error_code": code, "error_msg": message}
    if gateway and request_id:
        body["request_id"] = request_id
    headers = {"X-Request-Id": request_id} if request_id else {}
    return Response(orjson.dumps(body), status, headers=headers, media_type="application/json")


def _authenticate(config: ServerConfig, request: Request, project_id: str, request_id: str | None) -> Response | None:
    """None when the request carries valid credentials for the project, else the 401 to send."""
    headers = {name.lower(): value for name, value in request.headers.items()}
    token = headers.get("x-auth-token")
    authorization = headers.get("authorization")
    if token is not None:
        if not any(hmac.compare_digest(token.encode(), known.encode()) for known in config.tokens):
            return _error(401, "DMS.10240101", "The token is invalid.", request_id)
        return None
    if authorization is not None and config.keys:
        verdict = verify(authorization, request.method, request.url.path, request.url.query, headers, b"", config.keys)
        if not verdict.ok:
            message = f"Incorrect IAM authentication information: {verdict.reason}"
            return _error(401, "APIGW.0301", message, request_id, gateway=True)
        if headers.get("x-project-id", project_id) != project_id:
            return _error(401, "DMS.10240104", "X-Project-Id does not match the project of the request.", request_id)
        return None
    return _error(401, "DMS.10240103", "The token is missing.", request_id)


def _faulty_body(body: JsonObject, fault: str | None) -> JsonObject:
    body = copy.deepcopy(body)
    if fault == "wrong-type":
        body["create_time"] = str(body.get("create_time", 0))
    elif fault == "missing-field":
        body.pop("id", None)
    elif fault == "undocumented-field":
        body["internal_state"] = "synced"
    elif fault == "unknown-enum":
        body["status"] = "MIGRATING"
    elif fault == "broken-conditional":
        body["source_type"], body["source_task"] = "KAFKA_REPLICATOR_SOURCE", None
    return body


def create_app(config: ServerConfig) -> ASGIApp:
    """The ASGI application for `config`; `/openapi.json` serves the packaged contract."""
    document = read_document()
    contract = orjson.dumps(document)
    fault = config.fault

    async def show_task(request: Request) -> Response:
        request_id = None if fault == "missing-request-id" else uuid.uuid4().hex
        project_id = request.path_params["project_id"]
        instance_id = request.path_params["instance_id"]
        task_id = request.path_params["task_id"]
        if fault != "auth-ignored":
            denied = _authenticate(config, request, project_id, request_id)
            if denied is not None:
                return denied
        if not PROJECT_ID.match(project_id):
            answer = _error(400, "DMS.00400002", "Invalid project ID.", request_id)
        elif not UUID.match(instance_id):
            answer = _error(400, "DMS.00400030", "The id must be a uuid.", request_id)
        elif not UUID.match(task_id):
            answer = _error(400, "DMS.00400070", "Invalid task ID format.", request_id)
        elif project_id != config.project_id and fault != "auth-ignored":
            # The credentials are valid, but for another project (a project-scoped token, or AK/SK of another one).
            answer = _error(401, "DMS.10240104", "The credentials do not match the project.", request_id)
        elif instance_id != config.instance_id:
            answer = _error(404, "DMS.00404022", "The instance does not exist.", request_id)
        elif (task := _find(config.tasks, task_id)) is None:
            answer = _error(404, "DMS.00404001", "The task does not exist.", request_id)
        elif fault == "server-error":
            answer = _error(500, "DMS.00500000", "Internal service error.", request_id)
        else:
            status = 202 if fault == "undocumented-status" else 200
            media_type = "text/plain" if fault == "wrong-media-type" else "application/json"
            headers = {"X-Request-Id": request_id} if request_id else {}
            answer = Response(orjson.dumps(_faulty_body(task, fault)), status, headers=headers, media_type=media_type)
        return answer

    async def not_found(request: Request, exc: Exception) -> Response:
        request_id = None if fault == "missing-request-id" else uuid.uuid4().hex
        return _error(404, "DMS.00404001", "The URL does not exist.", request_id)

    async def openapi(request: Request) -> Response:
        return Response(contract, media_type="application/json")

    operation = find_operation(document)
    routes = [
        Route(operation.path, show_task, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]
    # Like the API gateway, another method on the path is an API that does not exist.
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
    return _RequestLog(app, with_ids=fault != "missing-request-id")


# Characters a log line must not hold as they are: C0 and C1 controls, DEL, and the Unicode line separators.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """`text` with every control character written as an escape (`\\x00`, `\\x1b`, `\\u2028`): one log line stays
    one line, and a terminal shows it as it is."""
    return _UNPRINTABLE.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)


class _RequestLog:
    """Around the application: every response gets an X-Request-Id (unless the fault under test removes them),
    and every request one log line with its id. The line holds the method, the path and the status only, each
    made printable: query strings and headers may carry credentials."""

    def __init__(self, app: Any, with_ids: bool) -> None:
        self.app, self.with_ids = app, with_ids

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_id(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                found = next((value for name, value in headers if name.lower() == b"x-request-id"), None)
                if found is None and self.with_ids:
                    found = uuid.uuid4().hex.encode()
                    headers.append((b"x-request-id", found))
                    message = {**message, "headers": headers}
                request_id = found.decode("latin-1") if found is not None else "-"
                path = printable(scope.get("path", ""))
                log.info("%s %s -> %s request-id=%s", printable(scope["method"]), path, message["status"], request_id)
            await send(message)

        await self.app(scope, receive, send_with_id)


def configured_credentials(
    token: str | None, access_key: str | None, secret_key: str | None, environ: Mapping[str, str]
) -> tuple[list[str], dict[str, str]]:
    """Tokens and AK/SK pairs from flags, else from SMARTCONNECT_TOKEN and HUAWEICLOUD_SDK_AK / _SK."""
    token = token or environ.get("SMARTCONNECT_TOKEN")
    access_key = access_key or environ.get("HUAWEICLOUD_SDK_AK")
    secret_key = secret_key or environ.get("HUAWEICLOUD_SDK_SK")
    keys = {access_key: secret_key} if access_key and secret_key else {}
    return ([token] if token else []), keys


def serve(config: ServerConfig, host: str, port: int) -> None:
    """Run the server with uvicorn until interrupted; uvicorn's access log is off (it would print queries)."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    uvicorn.run(create_app(config), host=host, port=port, access_log=False, log_config=None, log_level="info")


def describe(config: ServerConfig) -> str:
    """What the server serves, for its start-up line (no credentials)."""
    auth = [name for name, present in (("token", config.tokens), ("AK/SK", config.keys)) if present]
    fault = f"; FAULT: {config.fault} ({FAULTS[config.fault]})" if config.fault else ""
    return (
        f"serving {len(config.tasks)} task(s) of project {config.project_id}, instance {config.instance_id}; "
        f"auth: {', '.join(auth)}{fault}"
    )
