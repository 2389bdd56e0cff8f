"""The commands against a live server: the reference server (serve), and the contract tests (contract)."""

from __future__ import annotations

import argparse
import os
import sys

from .. import missing_extra
from ..exitcodes import ExitCode
from ..redact import printable
from .errors import error, os_error
from .listening import listening_socket, listening_url


def cmd_serve(args: argparse.Namespace) -> ExitCode:
    """Run the reference server."""
    missing = missing_extra("server", "starlette", "uvicorn")
    if missing:
        return error("serve needs the server extra", missing, "Install it and run the command again.")
    from ..live.server import DataError, describe, server_config
    from ..live.server import serve as run_server

    try:
        config = server_config(args.data, args.project_id, args.instance_id, args.token, args.ak, args.sk,
                               args.fault, os.environ)  # fmt: skip
    except DataError as exc:
        hint = "Pass task bodies with --data (JSON files, JSONL files or folders of them), or leave it out."
        return error("the server cannot start: its task data cannot be used", str(exc), hint)
    except ValueError as exc:
        hint = "Set SMARTCONNECT_TOKEN (or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK), or pass --token."
        return error("the server cannot start", str(exc), hint)
    try:  # bound before serving: a port in use stops the command with exit 2, naming it
        listening = listening_socket(args.host, args.port)
    except OSError as exc:
        return os_error("the server cannot listen on", f"{args.host}:{args.port}", exc)
    print(f"{describe(config)}\nlistening on {listening_url(listening)}", file=sys.stderr, flush=True)
    run_server(config, listening)
    return ExitCode.OK


def url_problem(url: str) -> str | None:
    """Why a base URL cannot be asked (no scheme, another scheme, no host), or None."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return "the URL has no scheme"
    if scheme.lower() not in ("http", "https"):
        return f"the URL's scheme is {scheme}://, not http:// or https://"
    return None if rest.split("/", 1)[0] else "the URL has no host"


def cmd_contract(args: argparse.Namespace) -> ExitCode:
    """Run the contract tests against a server and report them."""
    extra = missing_extra("contract", "schemathesis", "hypothesis")
    if extra:
        return error("contract needs the contract extra", extra, "Install it and run the command again.")
    from ..live.contract_tests import ContractRun, unproven
    from ..live.targets import Target
    from ..reports.contract import render_contract_text
    from ..reports.junit import render_contract_junit

    target = Target.from_environment(os.environ, args.params, url=args.url, region=args.region, token=args.token)
    missing = target.missing()
    if missing:
        return error("the contract tests need more to run", "missing: " + "; ".join(missing), "See the README.")
    url, known, credentials = target.url, target.known, target.credentials
    assert url is not None  # (missing() names it when it is not given)
    wrong = url_problem(url)
    if wrong:
        return error(wrong, printable(url), "Give the base URL with its scheme: https://HOST[:PORT], or http:// for a "
                     "server on loopback.")  # fmt: skip
    run = ContractRun(credentials, base_url=url)
    outcomes = run.run(known, max_examples=args.max_examples)
    if all(outcome.status is None for outcome in outcomes):
        return error("the server did not answer", f"no response from {url}", "Check the URL and the network.")
    problem = unproven(outcomes)
    if args.junit:
        with open(args.junit, "w", encoding="utf-8") as handle:
            render_contract_junit(outcomes, handle, problem)
    render_contract_text(outcomes, sys.stdout, problem)
    if problem:
        print(f"error: the contract run proved nothing: {problem}", file=sys.stderr)
    if any(outcome.failures for outcome in outcomes):
        return ExitCode.FINDINGS
    return ExitCode.NOTHING_PROVED if problem else ExitCode.OK
