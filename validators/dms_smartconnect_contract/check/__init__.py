"""The checker: one verdict per exchange, and the fast path for bulk JSONL lines (it lives here, nowhere else)."""

from .checker import Checker
from .options import DEFAULT_MAX_BODY_SIZE, CheckOptions, Engine

__all__ = ["DEFAULT_MAX_BODY_SIZE", "CheckOptions", "Checker", "Engine"]
