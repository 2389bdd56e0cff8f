"""The public import path of the contract assertions: see integrations/testing.py."""

from .integrations.testing import ContractViolation, assert_conforms, judge

__all__ = ["ContractViolation", "assert_conforms", "judge"]
