"""Conformance tooling for DMS for Kafka ShowConnectorTask: contract loading, checks, reports, CLI."""

__version__ = "0.1.0"
