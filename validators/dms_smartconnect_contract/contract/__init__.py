"""The contract: the one loader of the OpenAPI document, its operations, and the readings derived from it in code."""

from .document import (
    COMPONENTS_PREFIX,
    SCHEMA_DIALECT,
    UNLISTED_VALUE,
    ContractError,
    JsonObject,
    bundle_schema,
    lookup,
    packaged_contract_path,
    read_document,
    resolve,
    target,
)
from .operations import Operation, Operations, ResponseSpec, find_operation, operations
from .pointers import at_pointer, escape, json_pointer, unescape
from .readings import (
    close_schema,
    default_reading,
    flatten_schema,
    nullable_fields,
    strict_reading,
    tolerant_document,
    without_extensions,
)

__all__ = [
    "COMPONENTS_PREFIX",
    "SCHEMA_DIALECT",
    "UNLISTED_VALUE",
    "ContractError",
    "JsonObject",
    "Operation",
    "Operations",
    "ResponseSpec",
    "at_pointer",
    "bundle_schema",
    "close_schema",
    "default_reading",
    "escape",
    "find_operation",
    "flatten_schema",
    "json_pointer",
    "lookup",
    "nullable_fields",
    "operations",
    "packaged_contract_path",
    "read_document",
    "resolve",
    "strict_reading",
    "target",
    "tolerant_document",
    "unescape",
    "without_extensions",
]
