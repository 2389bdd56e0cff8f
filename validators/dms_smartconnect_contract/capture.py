"""The public import path of the SDK capture hook: see integrations/capture.py."""

from .integrations.capture import JsonlRecorder

__all__ = ["JsonlRecorder"]
