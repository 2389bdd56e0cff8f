"""The pytest plugin (entry point `pytest11`): the `smartconnect` fixture, for consumer test suites.

    def test_task_details(client, smartconnect):
        smartconnect.assert_conforms(client.get(url))            # or strict=True

Loading it costs nothing until the fixture is used: the contract compiles on the first assertion.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest


@pytest.fixture
def smartconnect() -> Any:
    """`assert_conforms(response, strict=False, status=None, content_type=None)` and `judge(...)`, as in
    dms_smartconnect_contract.testing."""
    from . import testing

    return SimpleNamespace(assert_conforms=testing.assert_conforms, judge=testing.judge)
