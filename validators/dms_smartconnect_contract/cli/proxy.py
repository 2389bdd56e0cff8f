"""`proxy`: a validating reverse proxy in front of the real endpoint (live/proxy.py), its record, and the report and
verdict of everything that passed once it is stopped."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from .. import missing_extra
from ..contract import ContractError, read_document
from ..exitcodes import ExitCode
from ..findings import RunVerdict, Tally
from ..redact import printable
from ..reports import make_reporter
from ..reports.base import summary_line
from ..reports.destination import ReportFile
from ..run.verdict import validate_verdict
from .errors import error, os_error
from .listening import listening_socket, listening_url

UPSTREAM_CONNECTIONS = 256  # the most open to the upstream at once; more clients wait for one
PROXY_LOCATION = "proxy"  # where items are located without a record: the proxy, and the exchange's number


def cmd_proxy(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> ExitCode:
    """Proxy to the upstream until stopped, judging each exchange of the contract's operations as it passes."""
    missing = missing_extra("proxy", "starlette", "uvicorn", "aiohttp", *(("httpx", "h2") if args.http2 else ()))
    if missing:
        return error("proxy needs the proxy extra", missing, "Install it and run the command again.")
    from yarl import URL

    from ..check import DEFAULT_MAX_BODY_SIZE, Checker, CheckOptions
    from ..live.proxy import Exchanges, ProxyOptions, create_proxy
    from ..live.upstream import upstream_session

    try:
        document = read_document(args.contract)
        # The record's lines are read as `validate` reads them, with its limit (or the proxy's, when larger): a body
        # over the proxy's own limit is recorded without its text, so no line of the record is over either.
        lines = max(args.max_body_size, DEFAULT_MAX_BODY_SIZE)
        checker = Checker(document, CheckOptions(strict=args.strict, max_body_size=lines))
    except ContractError as exc:
        return error("the contract cannot be used", str(exc), "Pass an OpenAPI 3.1 file with --contract.")
    try:
        upstream = URL(args.upstream)
    except ValueError:
        upstream = URL()
    if upstream.scheme not in ("http", "https") or not upstream.host:
        return error("--upstream is not an HTTP URL", printable(args.upstream), "Give https://HOST[:PORT].")
    host, _, port = args.listen.rpartition(":")
    if not port.isdigit():
        return error("--listen is not HOST:PORT", printable(args.listen), "Give 127.0.0.1:8080, say.")
    try:  # bound here, before anything is written: a port in use stops the command (exit 2), naming it
        listening = listening_socket(host, int(port))
    except OSError as exc:
        return os_error("the proxy cannot listen on", printable(args.listen), exc)
    verify: Any = True
    if args.upstream_ca:
        import ssl

        verify = ssl.create_default_context()  # the system's CAs, and this one besides
        try:
            verify.load_verify_locations(cafile=str(args.upstream_ca))
        except (OSError, ssl.SSLError) as exc:
            return os_error("the CA file cannot be read:", str(args.upstream_ca), exc)
    access, secret = args.ak or environ.get("HUAWEICLOUD_SDK_AK"), args.sk or environ.get("HUAWEICLOUD_SDK_SK")
    if bool(access) != bool(secret):
        return error("an AK needs its SK", "give both --ak and --sk (or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK), "
                     "or neither", "Signed requests are then forwarded as they are.")  # fmt: skip
    keys = (access, secret) if access and secret else None
    options = ProxyOptions(str(upstream).rstrip("/"), args.max_body_size, args.annotate, args.reject_violations, keys)
    where = str(args.output) if args.output else "standard output"
    try:
        with ReportFile(args.output) as out, _record(args.record) as record:
            reporter = make_reporter(args.format, out, verbosity=args.verbose, contract=args.contract)
            prefix = f"{args.record}:" if args.record else f"{PROXY_LOCATION}:"
            exchanges = Exchanges(checker, reporter.keeping, record, prefix, str(args.record or PROXY_LOCATION))
            # As many connections kept open to the upstream as clients come at once: one opened per request costs
            # a handshake each (and TLS's, to a real endpoint).
            client = upstream_session(UPSTREAM_CONNECTIONS, args.upstream_timeout, verify, http2=args.http2)
            app = create_proxy(options, exchanges, client)
            shown = threading.Event()
            if sys.stderr.isatty():
                threading.Thread(target=live_summary, args=(exchanges.tally, shown), daemon=True).start()
            try:
                stopped = _serve(app, listening)
            finally:
                shown.set()
            tally = exchanges.close()
            total = reporter.keeping.tally()
            total.merge(tally)
            reporter.add(tally)
            verdict = _verdict(total, args.record)
            reporter.finish(total, verdict)
    except OSError as exc:
        return os_error("the report or the record cannot be written to", where, exc)
    how = f"stopped by signal {stopped}" if stopped else "stopped"
    print(f"proxy {how}: {summary_line(total)}", file=sys.stderr)
    if verdict.reason:
        print(f"error: {printable(verdict.reason)}", *(f"  {printable(line)}" for line in verdict.details),
              sep="\n", file=sys.stderr)  # fmt: skip
    return verdict.exit_code


def _verdict(total: Tally, record: Path | None) -> RunVerdict:
    """The verdict `validate` gives the record (so that both reports are one); without a record, the same, said of
    the proxy."""
    if record is not None:
        return validate_verdict(total, [record], {str(record): "JSONL"})
    verdict = validate_verdict(total, [], {})
    if verdict.exit_code is ExitCode.NOTHING_PROVED:
        reason = (
            f"nothing was judged: none of the {total.total} exchange(s) that passed is of an operation of the contract"
        )
        return RunVerdict(ExitCode.NOTHING_PROVED, reason, [f"{PROXY_LOCATION}: {total.skipped} skipped"])
    return verdict


@contextlib.contextmanager
def _record(path: Path | None) -> Iterator[IO[bytes] | None]:
    """The record file, written anew: plain JSONL, or gzip or zstd by its name; None without --record."""
    if path is None:
        yield None
        return
    handle: Any
    if path.name.endswith(".gz"):
        import gzip

        handle = gzip.open(path, "wb")  # noqa: SIM115 - closed below
    elif path.name.endswith(".zst"):
        import zstandard

        handle = zstandard.ZstdCompressor().stream_writer(path.open("wb"), closefd=True)
    else:
        handle = path.open("wb")
    try:
        yield handle
    finally:
        handle.close()


def _serve(app: Any, listening: socket.socket) -> int | None:
    """Serve until SIGINT or SIGTERM, in uvicorn's event loop (uvloop where it is installed); the signal that
    stopped the proxy."""
    import uvicorn

    class Server(uvicorn.Server):
        signalled: int | None = None

        def handle_exit(self, sig: int, frame: Any) -> None:
            self.signalled = self.signalled or sig
            super().handle_exit(sig, frame)

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            # As uvicorn's own, but the signal is not raised again once the server is down: the report is next.
            originals = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in originals.items():
                    signal.signal(sig, handler)

    # (No X-Forwarded-For rewriting of the client's address: the proxy never reads it.)
    server = Server(uvicorn.Config(app, log_level="warning", lifespan="on", proxy_headers=False))
    print(f"proxy: listening on {listening_url(listening)}", file=sys.stderr, flush=True)
    server.run(sockets=[listening])
    return server.signalled


def live_summary(tally: Tally, stop: threading.Event) -> None:
    """The run's summary line, rewritten in place every half second on a terminal."""
    while not stop.wait(0.5):
        sys.stderr.write(f"\r{summary_line(tally)}\x1b[K")
        sys.stderr.flush()
