"""Record the contract's exchanges from inside the official SDK (huaweicloudsdkkafka's KafkaClient) into a JSONL file of
exchange records, to validate a team's real traffic without a proxy.

    from huaweicloudsdkcore.http.http_handler import HttpHandler
    from dms_smartconnect_contract.capture import JsonlRecorder

    recorder = JsonlRecorder("smartconnect.jsonl")
    client = KafkaClient.new_builder().with_http_handler(HttpHandler().add_response_handler(recorder))...build()
    ...
    # then: smartconnect-contract validate smartconnect.jsonl

The recorder is the SDK's response-handler hook: it sees every response the client receives and appends the ones
of the contract's operations (by method and path, as `validate` routes them) as records: method, URL path and query
(no host), request headers, status, response headers and body. Every credential-named header and query parameter
is masked: a record says that a request carried a token or a signature, never what it was.
"""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..contract import Operations, operations, read_document
from ..formats.records import record_line, recorded_request
from ..redact import safe_path
from .adapter import exchange_of


class JsonlRecorder:
    """A response handler for huaweicloudsdkcore's HttpHandler that appends the exchanges of the contract's
    operations to a JSONL file, one record a line; safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.recorded = 0
        self._lock = threading.Lock()

    @cached_property
    def operations(self) -> Operations:
        """The operations of the packaged contract, read at the first response."""
        return operations(read_document())

    def __call__(self, **kwargs: Any) -> None:
        response = kwargs.get("response")
        if response is None or getattr(response, "request", None) is None:
            return
        exchange = exchange_of(response)
        path = safe_path(exchange.url or "")
        if isinstance(self.operations.route(exchange.method, path), str):
            return  # no operation of the contract
        headers = [(str(name), str(value)) for name, value in response.headers.items()]
        query = urlsplit(exchange.url or "").query
        request = recorded_request(str(exchange.method), path, query, (exchange.request_headers or {}).items())
        line = record_line(request, exchange.status, headers, exchange.body or b"")
        with self._lock, self.path.open("ab") as handle:
            handle.write(line)
            self.recorded += 1
