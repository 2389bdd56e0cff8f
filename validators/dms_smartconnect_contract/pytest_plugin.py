"""The public import path of the pytest plugin (entry point `pytest11`): see integrations/pytest_plugin.py."""

from .integrations.pytest_plugin import smartconnect

__all__ = ["smartconnect"]
