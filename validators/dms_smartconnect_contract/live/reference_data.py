"""The reference server's bundled data: everything it knows of this API that the contract does not say as rules.

The server's code (server.py) names no operation, path or field of the contract: it reads them here. Each value
follows the service's documented behaviour (FACTS of the project: DMS error codes, the list call's paging), and
each fault class is one way to break the contract, so the contract tests can be shown to catch it. Importable
without the web framework (the CLI lists the fault classes).
"""

from __future__ import annotations

from dataclasses import dataclass

Answer = tuple[int, str, str]  # status, DMS error code, message


@dataclass(frozen=True)
class Check:
    """The service's own check of a parameter (a pattern, or integer bounds), and the error it answers."""

    error: Answer
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None


DEFAULT_PROJECT_ID = "a4a5d4098fb4474fa22cd05f897d6b99"
DEFAULT_INSTANCE_ID = "59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77"

# The tasks served by default: the 200 examples of this operation of the packaged contract.
TASKS_FROM = "ShowConnectorTask"
TASK_ID_FIELD = "id"  # the field of a task body that holds its ID
INSTANCE_PARAMETER = "instance_id"
PROJECT_PARAMETER = "project_id"

# How each operation is answered: one task by the path parameter that names it, or a page of them.
ANSWERS: dict[str, dict[str, object]] = {
    "ShowConnectorTask": {"kind": "one", "parameter": "task_id"},
    "ListConnectorTasks": {
        "kind": "page",
        "items": "tasks",
        "total": "total_number",
        "extra": {"max_tasks": 18, "quota_tasks": 18},
        "first": ("offset", 0),  # the query parameter of the first task's index, and its value when not given
        "size": ("limit", 10),  # the query parameter of the page's size, and its value when not given
    },
}

# A parameter that breaks the service's own check is answered with the DMS error it gives.
UUID = r"\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z"  # \Z: `$` also matches before a newline
PARAMETER_CHECKS = {
    "project_id": Check((400, "DMS.00400002", "Invalid project ID."), pattern=r"\A[0-9a-f]{32}\Z"),
    "instance_id": Check((400, "DMS.00400030", "The id must be a uuid."), pattern=UUID),
    "task_id": Check((400, "DMS.00400070", "Invalid task ID format."), pattern=UUID),
    "offset": Check((400, "DMS.00400800", "Invalid parameter: offset."), minimum=0),
    "limit": Check((400, "DMS.00400800", "Invalid parameter: limit."), minimum=1, maximum=50),
}
UNKNOWN_INSTANCE: Answer = (404, "DMS.00404022", "The instance does not exist.")
UNKNOWN_TASK: Answer = (404, "DMS.00404001", "The task does not exist.")
UNKNOWN_URL: Answer = (404, "DMS.00404001", "The URL does not exist.")
SERVER_ERROR: Answer = (500, "DMS.00500000", "Internal service error.")

# The error body: the field of its code, of its message, and of the request ID gateway errors add.
ERROR_FIELDS = {"code": "error_code", "message": "error_msg", "gateway": "request_id"}

# Each fault breaks the contract one way. `task` edits every task served (the detail, each task of a page) by JSON
# pointer: `set` a value, `drop` a field, `text` a value written as a string; `answer_status` and `media_type`
# replace those of every 200; `error` answers instead of the task; `unknown_in_page` makes a page name one task more, which
# the detail call does not know.
FAULTS: dict[str, dict[str, object]] = {
    "wrong-type": {"about": "create_time sent as a string", "task": {"text": ["/create_time"]}},
    "missing-field": {"about": "the required id left out", "task": {"drop": ["/id"]}},
    "undocumented-field": {
        "about": "a field the contract does not document added",
        "task": {"set": {"/internal_state": "synced"}},
    },
    "unknown-enum": {"about": "a status outside the documented enumeration", "task": {"set": {"/status": "MIGRATING"}}},
    "broken-conditional": {
        "about": "a Kafka source task without its source configuration",
        "task": {"set": {"/source_type": "KAFKA_REPLICATOR_SOURCE", "/source_task": None}},
    },
    "wrong-media-type": {"about": "the task sent as text/plain", "media_type": "text/plain"},
    "undocumented-status": {"about": "the task sent with status 202", "answer_status": 202},
    "server-error": {"about": "a 500 instead of the task", "error": SERVER_ERROR},
    "missing-request-id": {"about": "no X-Request-Id header on any response", "request_ids": False},
    "auth-ignored": {"about": "requests answered without checking credentials", "authenticate": False},
    "parameters-unchecked": {
        "about": "IDs and query parameters answered without checking them (an unknown instance still a 404)",
        "check_parameters": False,
    },
    "list-unknown-task": {
        "about": "the list names a task the detail call does not know",
        "unknown_in_page": "7d1c9b5e-0a3f-4e21-b8c6-5f2d4e9a1b07",
    },
}
