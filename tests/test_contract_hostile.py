"""A contract handed to `lint` or `validate --contract` is input too: reference cycles, references outside the
document, alias bombs, huge descriptions and bytes that are not UTF-8 each end with exit 2 and a message naming
what is wrong (or are read as they should be), never a traceback, and nothing outside the document is fetched."""

from __future__ import annotations

import copy
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from dms_smartconnect_contract.contract import JsonObject

from clirunner import run
from conftest import ROOT

TASK = "SmartConnectTaskEntity"


def _write(folder: Path, document: JsonObject, name: str = "contract.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(document))
    return path


def _body(folder: Path) -> Path:
    body = folder / "task.json"
    body.write_text('{"task_name": "a"}')
    return body


def _refused(folder: Path, contract: Path, *expected: str) -> None:
    for command in (["lint", str(contract)], ["validate", "--contract", str(contract), str(_body(folder))]):
        result = run(*command)
        assert result.code == 2, (command, result)
        assert result.err.startswith("error: the contract cannot be used"), result.err
        assert all(part in result.err for part in expected), result.err
        assert "Traceback" not in result.err


def test_a_reference_cycle_is_refused_naming_its_references(fresh_document: JsonObject, tmp_path: Path) -> None:
    schemas = fresh_document["components"]["schemas"]
    schemas["LoopA"] = {"$ref": "#/components/schemas/LoopB"}
    schemas["LoopB"] = {"$ref": "#/components/schemas/LoopA"}
    schemas[TASK]["properties"]["loop"] = {"$ref": "#/components/schemas/LoopA"}
    _refused(tmp_path, _write(tmp_path, fresh_document), "$ref cycle", "#/components/schemas/LoopA",
             "#/components/schemas/LoopB")  # fmt: skip


def test_a_recursive_schema_is_refused_by_validate_with_the_reference(
    fresh_document: JsonObject, tmp_path: Path
) -> None:
    fresh_document["components"]["schemas"][TASK]["properties"]["parent"] = {"$ref": f"#/components/schemas/{TASK}"}
    contract = _write(tmp_path, fresh_document)
    result = run("validate", "--contract", str(contract), str(_body(tmp_path)))
    assert result.code == 2 and f"{TASK} refers to itself" in result.err and "Traceback" not in result.err


class _Counting(http.server.BaseHTTPRequestHandler):
    requests = 0

    def do_GET(self) -> None:
        type(self).requests += 1
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"type: object\n")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Counting.requests = 0
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("where", ["file", "url"])
def test_references_outside_the_document_are_refused_and_never_fetched(
    fresh_document: JsonObject, where: str, tmp_path: Path, loopback: str
) -> None:
    (tmp_path / "other.yaml").write_text("Name: {type: string}\n")
    ref = "other.yaml#/Name" if where == "file" else f"{loopback}/other.yaml#/Name"
    fresh_document["components"]["schemas"][TASK]["properties"]["task_name"] = {"$ref": ref}
    _refused(tmp_path, _write(tmp_path, fresh_document), "only references inside the document are followed", ref)
    assert _Counting.requests == 0


def test_an_alias_bomb_is_refused_before_anything_walks_it(tmp_path: Path) -> None:
    lines = ["openapi: 3.1.0", "info: {title: t, version: '1'}", "paths: {}", "x-bomb:", '  a0: &a0 ["lol"]']
    lines += [f"  a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 10)]  # 10^9 nodes expanded
    contract = tmp_path / "bomb.yaml"
    contract.write_text("\n".join(lines) + "\n")
    _refused(tmp_path, contract, "aliases expand to more than", "alias bomb")


def test_a_contract_with_ten_megabyte_descriptions_is_read(fresh_document: JsonObject, tmp_path: Path) -> None:
    fresh_document["components"]["schemas"][TASK]["description"] = "A task. " * (10 << 17)
    contract = tmp_path / "contract.json"
    contract.write_text(json.dumps(fresh_document))
    assert contract.stat().st_size > 10 << 20
    result = run("validate", "--contract", str(contract), str(_body(tmp_path)))
    assert result.code == 0, result


def test_a_contract_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    contract = tmp_path / "latin1.yaml"
    contract.write_bytes(
        (ROOT / "openapi.yaml").read_text().replace("Querying", "Requ\u00eate").encode("latin-1", "replace")
    )
    _refused(tmp_path, contract, f"cannot read contract {contract}", "utf-8")


def test_the_packaged_contract_passes_the_same_checks(document: JsonObject) -> None:
    from dms_smartconnect_contract.contract.document import check_references

    check_references(copy.deepcopy(document))  # raises on a cycle or a reference outside the document
