"""The reference server under concurrent load on loopback, as `make bench` measures it at 1000 connections: here a
smaller run of the same mix (valid, unauthorised and hostile requests), with the same checks. The server is a
process of its own (`serve`), started and stopped by the test."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import load


def test_the_server_holds_a_load_of_hostile_and_valid_requests() -> None:
    record = load.run(connections=60, requests=4, deadline=60.0)
    assert record["answered"] == 240, record["failed"]
    assert record["server_errors"] == 0
    assert record["checks"] == {name: True for name in record["checks"]}, record
    kinds = record["kinds"]
    assert kinds["valid"] and kinds["unauthorised"] and kinds["hostile"]  # the mix was sent
    assert set(record["statuses"]) <= {200, 400, 401, 404}
