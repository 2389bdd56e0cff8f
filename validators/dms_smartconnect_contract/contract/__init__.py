"""The contract: the one loader of the OpenAPI document, and the readings derived from it in code."""

from .document import (
    COMPONENTS_PREFIX,
    OPERATION_ID,
    SCHEMA_DIALECT,
    UNLISTED_VALUE,
    ContractError,
    JsonObject,
    Operation,
    ResponseSpec,
    bundle_schema,
    find_operation,
    packaged_contract_path,
    read_document,
    resolve,
)
from .readings import close_schema, flatten_schema

__all__ = [
    "COMPONENTS_PREFIX",
    "OPERATION_ID",
    "SCHEMA_DIALECT",
    "UNLISTED_VALUE",
    "ContractError",
    "JsonObject",
    "Operation",
    "ResponseSpec",
    "bundle_schema",
    "close_schema",
    "find_operation",
    "flatten_schema",
    "packaged_contract_path",
    "read_document",
    "resolve",
]
