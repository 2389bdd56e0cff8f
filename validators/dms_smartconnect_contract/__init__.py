"""Conformance tooling for the Smart Connect task operations of DMS for Kafka: contract loading, checks, reports, CLI."""

__version__ = "0.1.0"


DISTRIBUTION = "dms-smartconnect-contract"


def install_line(extra: str) -> str:
    """The one command that installs an extra of this distribution (server, proxy, contract, dask, s3), from where
    this copy came from, as pip recorded it (PEP 610's direct_url.json): the same repository and revision, the same
    wheel, the same checkout (editable); from the same index or folder of wheels when pip recorded none."""
    import json
    from importlib import metadata

    try:
        recorded = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
        origin = json.loads(recorded) if recorded else {}
    except (metadata.PackageNotFoundError, ValueError):
        origin = {}
    url = origin.get("url", "") if isinstance(origin, dict) else ""
    vcs, directory = origin.get("vcs_info"), origin.get("dir_info")
    if url and isinstance(vcs, dict):
        revision = vcs.get("requested_revision") or vcs.get("commit_id")
        return (
            f'pip install "{DISTRIBUTION}[{extra}] @ {vcs.get("vcs", "git")}+{url}{"@" + revision if revision else ""}"'
        )
    if url.startswith("file://") and isinstance(directory, dict):
        from urllib.parse import unquote, urlsplit

        folder = unquote(urlsplit(url).path)
        return (
            f"pip install -e '{folder}[{extra}]'" if directory.get("editable") else f"pip install '{folder}[{extra}]'"
        )
    if url:
        return f'pip install "{DISTRIBUTION}[{extra}] @ {url}"'
    # (pip records nothing of an install from an index or --find-links: the same one is needed again.)
    return f"pip install '{DISTRIBUTION}[{extra}]' (from the index or --find-links folder it was installed from)"


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
