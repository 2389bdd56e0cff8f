"""The reference server's defaults and fault classes, importable without the web framework (for the CLI)."""

import re

DEFAULT_PROJECT_ID = "a4a5d4098fb4474fa22cd05f897d6b99"
DEFAULT_INSTANCE_ID = "59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77"
PROJECT_ID = re.compile(r"\A[0-9a-f]{32}\Z")  # \Z: `$` would also match before a final newline
UUID = re.compile(r"\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
FAULTS = {
    "wrong-type": "create_time sent as a string",
    "missing-field": "the required id left out",
    "undocumented-field": "a field the contract does not document added",
    "unknown-enum": "a status outside the documented enumeration",
    "broken-conditional": "a Kafka source task without its source configuration",
    "wrong-media-type": "the task sent as text/plain",
    "undocumented-status": "the task sent with status 202",
    "server-error": "a 500 instead of the task",
    "missing-request-id": "no X-Request-Id header on any response",
    "auth-ignored": "requests answered without checking credentials",
}
