"""The checker: one verdict per exchange, and the fast path for bulk JSONL lines (it lives here, nowhere else)."""

from .checker import DEFAULT_MAX_BODY_SIZE, Checker
from .schemas import Engine

__all__ = ["DEFAULT_MAX_BODY_SIZE", "Checker", "Engine"]
