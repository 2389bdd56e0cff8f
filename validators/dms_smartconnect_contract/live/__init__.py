"""Against a live server: the reference server, AK/SK signing and the contract tests (schemathesis)."""
