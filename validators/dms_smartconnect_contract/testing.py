"""The public import path of the contract assertions: see integrations/testing.py."""

from .integrations.testing import ContractViolation, NotJudged, assert_conforms, judge

__all__ = ["ContractViolation", "NotJudged", "assert_conforms", "judge"]
