"""Record ShowConnectorTask exchanges from inside the official SDK (huaweicloudsdkkafka's KafkaClient) into a JSONL
file of exchange records, to validate a team's real traffic without a proxy.

    from huaweicloudsdkcore.http.http_handler import HttpHandler
    from dms_smartconnect_contract.capture import JsonlRecorder

    recorder = JsonlRecorder("smartconnect.jsonl")
    client = KafkaClient.new_builder().with_http_handler(HttpHandler().add_response_handler(recorder))...build()
    ...
    # then: smartconnect-contract validate smartconnect.jsonl

The recorder is the SDK's response-handler hook: it sees every response the client receives and appends the ones
of ShowConnectorTask (GET .../connector/tasks/{task_id}) as records: method, URL path (no host, no query), status,
response headers (credential-named ones masked) and body. Requests and their signatures are never recorded.
"""

from __future__ import annotations

import base64
import re
import threading
from pathlib import Path
from typing import Any

import orjson

from ..redact import REDACTED, is_secret_name, safe_path

_OPERATION = re.compile(r"/v2/[^/]+/instances/[^/]+/connector/tasks/[^/]+/?$")


class JsonlRecorder:
    """A response handler for huaweicloudsdkcore's HttpHandler that appends ShowConnectorTask exchanges to a JSONL
    file, one record a line; safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.recorded = 0
        self._lock = threading.Lock()

    def __call__(self, **kwargs: Any) -> None:
        response = kwargs.get("response")
        request = getattr(response, "request", None)
        if response is None or request is None:
            return
        path = safe_path(str(getattr(request, "url", "") or ""))
        if str(getattr(request, "method", "")).upper() != "GET" or not _OPERATION.search(path):
            return
        headers = {
            str(name): REDACTED if is_secret_name(str(name)) else str(value) for name, value in response.headers.items()
        }
        record: dict[str, Any] = {"method": "GET", "url": path, "status": int(response.status_code), "headers": headers}
        content: bytes = response.content or b""
        try:
            record["body_text"] = content.decode("utf-8")
        except UnicodeDecodeError:
            record["body_base64"] = base64.b64encode(content).decode("ascii")
        line = orjson.dumps(record) + b"\n"
        with self._lock, self.path.open("ab") as handle:
            handle.write(line)
            self.recorded += 1
