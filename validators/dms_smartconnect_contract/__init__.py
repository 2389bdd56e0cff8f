"""Conformance tooling for the Smart Connect task operations of DMS for Kafka: contract loading, checks, reports, CLI."""

__version__ = "0.1.0"


def install_line(extra: str) -> str:
    """The one command that installs an extra of this distribution (server, contract, dask, s3)."""
    return f"pip install 'dms-smartconnect-contract[{extra}]'"


def missing_extra(extra: str, *modules: str) -> str | None:
    """The one line to show when a command's extra is not installed (None when it is)."""
    import importlib.util

    for module in modules:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a module blocked or broken counts as missing
            found = False
        if not found:
            return f"{module} is not installed: {install_line(extra)}"
    return None
