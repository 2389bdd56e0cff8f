"""The reference server: the contract's operations over recorded task bodies, behaving like the real service.

An ASGI application (Starlette), served by uvicorn through `smartconnect-contract serve`. It authenticates with an
IAM token or an SDK-HMAC-SHA256 signature, validates IDs and query parameters as DMS does, answers with DMS error
bodies, and sets X-Request-Id on every response. It can also start in a faulty mode, one fault class at a time, to
prove that the contract tests catch each kind of breakage. What it knows of this API is its bundled data
(reference_data.py): this module names no operation, path or field.
"""

from __future__ import annotations

import copy
import hmac
import logging
import re
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from ..contract import JsonObject, Operation, at_pointer, operations, read_document, resolve
from ..contract.serialization import parameter_value
from ..redact import printable
from . import reference_data as data
from .reference_data import DEFAULT_INSTANCE_ID, DEFAULT_PROJECT_ID, FAULTS
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

    @property
    def faults(self) -> Mapping[str, Any]:
        """What the fault under test changes (nothing without one)."""
        return FAULTS[self.fault] if self.fault else {}


def bundled_tasks() -> list[JsonObject]:
    """The 200 examples of the packaged contract's task operation (the API reference's example among them)."""
    document = read_document()
    operation = operations(document).get(data.TASKS_FROM)
    response = resolve(document, operation.raw["responses"]["200"])
    examples = next(iter(response["content"].values()))["examples"]
    return [copy.deepcopy(resolve(document, example)["value"]) for example in examples.values()]


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
                if not isinstance(value, dict) or not isinstance(value.get(data.TASK_ID_FIELD), str):
                    raise DataError(f"{file}: a task body must be an object with a string {data.TASK_ID_FIELD}")
                bodies.append(value)
    return bodies


def index_tasks(bodies: Iterable[JsonObject]) -> dict[str, JsonObject]:
    """Tasks by ID, in the order given. A masked ID (`194917d0-****-...`) is kept as its unmasked prefix and answers
    any task ID that starts with it, so recorded bodies with masked IDs can still be served."""
    return {body[data.TASK_ID_FIELD].split("*", 1)[0].rstrip("-"): body for body in bodies}


def _find(tasks: Mapping[str, JsonObject], task_id: str) -> JsonObject | None:
    if task_id in tasks:
        return tasks[task_id]
    return next((body for key, body in tasks.items() if len(key) < 36 and task_id.startswith(key + "-")), None)


def error_response(answer: data.Answer, request_id: str | None, gateway: bool = False) -> Response:
    """A DMS error body (or the API gateway's, with its request ID), with X-Request-Id where there is one."""
    status, code, message = answer
    fields = data.ERROR_FIELDS
    body: JsonObject = {fields["code"]: code, fields["message"]: message}
    if gateway and request_id:
        body[fields["gateway"]] = request_id
    headers = {"X-Request-Id": request_id} if request_id else {}
    return Response(orjson.dumps(body), status, headers=headers, media_type="application/json")


def _authenticate(config: ServerConfig, request: Request, project_id: str, request_id: str | None) -> Response | None:
    """None when the request carries valid credentials for the project, else the 401 to send."""
    headers = {name.lower(): value for name, value in request.headers.items()}
    token = headers.get("x-auth-token")
    authorization = headers.get("authorization")
    if token is not None:
        if not any(hmac.compare_digest(token.encode(), known.encode()) for known in config.tokens):
            return error_response((401, "DMS.10240101", "The token is invalid."), request_id)
        return None
    if authorization is not None and config.keys:
        verdict = verify(authorization, request.method, request.url.path, request.url.query, headers, b"", config.keys)
        if not verdict.ok:
            message = f"Incorrect IAM authentication information: {verdict.reason}"
            return error_response((401, "APIGW.0301", message), request_id, gateway=True)
        if headers.get("x-project-id", project_id) != project_id:
            answer = (401, "DMS.10240104", "X-Project-Id does not match the project of the request.")
            return error_response(answer, request_id)
        return None
    return error_response((401, "DMS.10240103", "The token is missing."), request_id)


def _checked(name: str, value: str) -> bool:
    """Whether a parameter's value passes the service's own check of it (a parameter it does not check passes)."""
    check = data.PARAMETER_CHECKS.get(name)
    if check is None:
        return True
    if check.pattern is not None:
        return re.search(check.pattern, value) is not None
    number = parameter_value(("integer",), value)
    if type(number) is not int:
        return False
    return (check.minimum is None or number >= check.minimum) and (check.maximum is None or number <= check.maximum)


def _faulty(task: JsonObject, faults: Mapping[str, Any]) -> JsonObject:
    """A task as the fault under test sends it: its `task` edits applied, by JSON pointer."""
    task = copy.deepcopy(task)
    edits = faults.get("task", {})
    for pointer, value in edits.get("set", {}).items():
        holder, key = _holder(task, pointer)
        holder[key] = value
    for pointer in edits.get("drop", []):
        holder, key = _holder(task, pointer)
        holder.pop(key, None)
    for pointer in edits.get("text", []):
        holder, key = _holder(task, pointer)
        holder[key] = str(holder.get(key, 0))
    return task


def _holder(body: JsonObject, pointer: str) -> tuple[JsonObject, str]:
    parent, _, key = pointer.rpartition("/")
    holder = at_pointer(body, parent)
    assert isinstance(holder, dict), pointer
    return holder, key


Handler = Callable[[Request], Awaitable[Response]]


def _handler(config: ServerConfig, operation: Operation) -> Handler:
    """The endpoint of one operation, answering as its bundled data says."""
    answer = data.ANSWERS[operation.operation_id]
    faults = config.faults
    checked = [*operation.parameters, *operation.query]

    async def endpoint(request: Request) -> Response:
        request_id = uuid.uuid4().hex if faults.get("request_ids", True) else None
        params = request.path_params
        project_id = params.get(data.PROJECT_PARAMETER, "")
        authenticate = faults.get("authenticate", True)
        if authenticate:
            denied = _authenticate(config, request, project_id, request_id)
            if denied is not None:
                return denied
        for name in checked if faults.get("check_parameters", True) else ():
            value = params[name] if name in params else request.query_params.get(name)
            if value is not None and not _checked(name, value):
                return error_response(data.PARAMETER_CHECKS[name].error, request_id)
        if project_id != config.project_id and authenticate:
            # The credentials are valid, but for another project (a project-scoped token, or AK/SK of another one).
            return error_response((401, "DMS.10240104", "The credentials do not match the project."), request_id)
        if params.get(data.INSTANCE_PARAMETER) != config.instance_id:
            return error_response(data.UNKNOWN_INSTANCE, request_id)
        if answer["kind"] == "one":
            task = _find(config.tasks, params[str(answer["parameter"])])
            if task is None:
                return error_response(data.UNKNOWN_TASK, request_id)
            body: Any = _faulty(task, faults)
        else:
            body = _page(config, answer, request.query_params, faults)
        if "error" in faults:
            return error_response(faults["error"], request_id)
        headers = {"X-Request-Id": request_id} if request_id else {}
        status, media_type = faults.get("answer_status", 200), faults.get("media_type", "application/json")
        return Response(orjson.dumps(body), status, headers=headers, media_type=media_type)

    return endpoint


def _page(config: ServerConfig, answer: Mapping[str, Any], query: Mapping[str, str], faults: Mapping[str, Any]) -> Any:
    """A page of the tasks, as the list operation answers: the tasks from the offset on, at most the limit, with the
    total and the quotas."""
    (offset_name, offset_default), (limit_name, limit_default) = answer["first"], answer["size"]
    # (With the parameters left unchecked, a value that is no integer reads as the default.)
    offset, limit = (
        found if type(found := parameter_value(("integer",), query.get(name, ""))) is int else default
        for name, default in ((offset_name, offset_default), (limit_name, limit_default))
    )
    tasks = [_faulty(task, faults) for task in config.tasks.values()]
    if "unknown_in_page" in faults and tasks:  # first, where a page of any size shows it
        tasks.insert(0, {**tasks[0], data.TASK_ID_FIELD: faults["unknown_in_page"]})
    return {answer["items"]: tasks[offset : offset + limit], answer["total"]: len(tasks), **answer["extra"]}


def create_app(config: ServerConfig) -> ASGIApp:
    """The ASGI application for `config`: a route per operation of the packaged contract that the bundled data
    answers, and `/openapi.json` for the contract itself."""
    document = read_document()
    contract = orjson.dumps(document)
    request_ids = config.faults.get("request_ids", True)

    async def not_found(request: Request, exc: Exception) -> Response:
        return error_response(data.UNKNOWN_URL, uuid.uuid4().hex if request_ids else None)

    async def openapi(request: Request) -> Response:
        return Response(contract, media_type="application/json")

    routes = [
        Route(operation.path, _handler(config, operation), methods=[operation.method])
        for operation in operations(document)
        if operation.operation_id in data.ANSWERS
    ]
    routes.append(Route("/openapi.json", openapi, methods=["GET"]))
    # Like the API gateway, another method on the path is an API that does not exist.
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
    return _RequestLog(app, with_ids=request_ids)


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


def server_config(
    data: list[Path] | None,
    project_id: str | None,
    instance_id: str,
    token: str | None,
    access_key: str | None,
    secret_key: str | None,
    fault: str | None,
    environ: Mapping[str, str],
) -> ServerConfig:
    """The configuration `serve` asks for: the tasks of `data` (else the bundled ones), the project (else the SDK's
    HUAWEICLOUD_SDK_PROJECT_ID, else the documentation's example) and the credentials; DataError or ValueError
    when it cannot serve."""
    tokens, keys = configured_credentials(token, access_key, secret_key, environ)
    bodies = load_tasks(data) if data else bundled_tasks()
    project = project_id or environ.get("HUAWEICLOUD_SDK_PROJECT_ID") or DEFAULT_PROJECT_ID
    return ServerConfig(index_tasks(bodies), project, instance_id, tokens, keys, fault)


def serve(config: ServerConfig, listening: socket.socket) -> None:
    """Run the server with uvicorn on a bound socket until interrupted; uvicorn's access log is off (it would print
    queries)."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    settings = uvicorn.Config(create_app(config), access_log=False, log_config=None, log_level="info")
    uvicorn.Server(settings).run(sockets=[listening])


def describe(config: ServerConfig) -> str:
    """What the server serves, for its start-up line (no credentials)."""
    auth = [name for name, present in (("token", config.tokens), ("AK/SK", config.keys)) if present]
    fault = f"; FAULT: {config.fault} ({FAULTS[config.fault]['about']})" if config.fault else ""
    return (
        f"serving {len(config.tasks)} task(s) of project {config.project_id}, instance {config.instance_id}; "
        f"auth: {', '.join(auth)}{fault}"
    )
