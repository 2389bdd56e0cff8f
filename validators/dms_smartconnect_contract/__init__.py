"""Conformance tooling for DMS for Kafka ShowConnectorTask: contract loading, checks, reports, CLI."""

__version__ = "0.1.0"


def install_line(extra: str) -> str:
    """The one command that installs an extra of this distribution (server, contract, dask, s3)."""
    return f"pip install 'dms-smartconnect-contract[{extra}]'"
