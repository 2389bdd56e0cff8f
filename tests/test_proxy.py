"""The validating proxy, as a user runs it: `smartconnect-contract proxy` in a process of its own, in front of a real
upstream on loopback (the reference server, or a small Starlette app where the bytes must be exact), called by an
httpx client, stopped with SIGTERM; its report is then compared with `validate` of its own record."""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from serverkit import (
    ACCESS_KEY,
    KNOWN,
    SECRET_KEY,
    SEED_TASK,
    TASK_PATH,
    TOKEN,
    free_port,
    listening,
    make_app,
    running_server,
    serving,
    serving_tls,
)

pytest.importorskip("uvicorn", reason="the proxy runs on the server stack (the proxy extra)")

HEADERS = {"X-Auth-Token": TOKEN}
MISSING_TASK = "00000000-0000-4000-8000-000000000000"


@dataclass
class Proxy:
    base: str
    process: subprocess.Popen[bytes]
    record: Path
    report: Path

    def stop(self) -> tuple[int, str]:
        """SIGTERM, as a CI job's end sends it: the exit code and what the proxy said on standard error."""
        self.process.send_signal(signal.SIGTERM)
        _, err = self.process.communicate(timeout=30)
        return self.process.returncode, err.decode()


@contextmanager
def proxy(tmp_path: Path, upstream: str, *options: str, record: str = "record.jsonl") -> Iterator[Proxy]:
    """The proxy in a process of its own, listening on a free loopback port, until the block ends."""
    port = free_port()
    recorded, report = tmp_path / record, tmp_path / "report.json"
    command = [sys.executable, "-m", "dms_smartconnect_contract", "proxy", "--upstream", upstream,
               "--listen", f"127.0.0.1:{port}", "--record", record, "--format", "json", "--output",
               str(report), *options]  # fmt: skip
    tmp_path.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    if not listening(port, lambda: process.poll() is None, 20):
        process.kill()
        raise RuntimeError(f"the proxy did not start: {process.communicate()[1].decode()}")
    running = Proxy(base, process, recorded, report)
    try:
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def _task(task: str = SEED_TASK) -> str:
    return TASK_PATH + task


def _validated(record: Path, *options: str) -> tuple[int, str]:
    """`validate` of the proxy's record, as the proxy reported it (the same format, the same path as written)."""
    done = subprocess.run([sys.executable, "-m", "dms_smartconnect_contract", "validate", "--format", "json", *options,
                           record.name], capture_output=True, text=True, cwd=record.parent)  # fmt: skip
    return done.returncode, done.stdout


def test_responses_pass_unchanged_and_the_report_is_validate_of_the_record(tmp_path: Path) -> None:
    with running_server() as upstream, proxy(tmp_path, upstream) as running:
        direct, proxied = [], []
        for path in (_task(), _task(MISSING_TASK), TASK_PATH.rstrip("/"), "/v2/other/path"):
            direct.append(httpx.get(upstream + path, headers=HEADERS))
            proxied.append(httpx.get(running.base + path, headers=HEADERS))
        code, err = running.stop()
    for mine, theirs in zip(proxied, direct, strict=True):
        assert (mine.status_code, mine.headers["content-type"]) == (theirs.status_code, theirs.headers["content-type"])
        if mine.status_code == 200:
            assert mine.content == theirs.content
    assert [response.status_code for response in proxied] == [200, 404, 200, 404]
    assert code == 0, err
    report = running.report.read_text()
    summary = json.loads(report)["summary"]
    assert (summary["conforming"], summary["skipped"], summary["total"]) == (3, 1, 4)
    assert _validated(running.record) == (0, report)
    # The IAM token passed through, and is in neither the record nor the report.
    assert TOKEN not in running.record.read_text() and TOKEN not in report and TOKEN not in err


# A documented rule fails a default run; an inferred one (a required field no source marks) only a strict one.
@pytest.mark.parametrize(("fault", "rule", "strict"), [("wrong-type", "schema.type", []),
                                                       ("missing-field", "schema.required", ["--strict"])])  # fmt: skip
def test_a_broken_upstream_is_found_and_each_mode_says_so(tmp_path: Path, fault: str, rule: str,
                                                          strict: list[str]) -> None:  # fmt: skip
    with running_server(fault) as upstream:
        with proxy(tmp_path / "plain", upstream, *strict) as running:
            passed = httpx.get(running.base + _task(), headers=HEADERS)
            code, _ = running.stop()
        assert passed.status_code == 200 and "x-contract-verdict" not in passed.headers
        assert code == 1
        report = running.report.read_text()
        assert rule in {v["rule"] for v in json.loads(report)["results"][0]["violations"]}
        assert _validated(running.record, *strict) == (1, report)
        with proxy(tmp_path / "annotate", upstream, "--annotate", *strict) as running:
            annotated = httpx.get(running.base + _task(), headers=HEADERS)
            listed = httpx.get(running.base + TASK_PATH.rstrip("/"), headers=HEADERS)
            running.stop()
        verdict = annotated.headers["x-contract-verdict"]
        assert verdict.startswith("violating; findings=") and rule in verdict.split("rules=")[1].split(",")
        assert annotated.status_code == 200 and annotated.content == passed.content
        assert listed.headers["x-contract-verdict"].startswith(("conforming", "violating"))
        with proxy(tmp_path / "reject", upstream, "--reject-violations", *strict) as running:
            rejected = httpx.get(running.base + _task(), headers=HEADERS)
            running.stop()
        assert rejected.status_code == 502 and rejected.headers["content-type"] == "application/problem+json"
        assert rule in {finding["rule"] for finding in rejected.json()["findings"]}


def _fixed_upstream(body: bytes, encoding: str) -> Starlette:
    """An upstream that answers the task path with these exact bytes, as `encoding` encoded them."""

    async def task(request: Request) -> Response:
        return Response(body, 200, headers={"Content-Encoding": encoding, "Content-Type": "application/json"})

    return Starlette(routes=[Route(TASK_PATH + "{task}", task)])


def _seed_body() -> bytes:
    with running_server() as upstream:
        return httpx.get(upstream + _task(), headers=HEADERS).content


@pytest.mark.parametrize("encoding", ["gzip", "zstd", "br"])
def test_encoded_bodies_pass_byte_for_byte_and_are_judged_decoded(tmp_path: Path, encoding: str) -> None:
    plain = _seed_body()
    if encoding == "gzip":
        raw = gzip.compress(plain, mtime=0)
    elif encoding == "zstd":
        import zstandard

        raw = zstandard.ZstdCompressor().compress(plain)
    else:
        brotli = pytest.importorskip("brotli", reason="br bodies are decoded with the brotli module (proxy extra)")
        raw = brotli.compress(plain)
    with serving(_fixed_upstream(raw, encoding)) as upstream, proxy(tmp_path, upstream) as running:
        with httpx.stream("GET", running.base + _task(), headers={**HEADERS, "Accept-Encoding": encoding}) as answer:
            passed = b"".join(answer.iter_raw())
            assert answer.headers["content-encoding"] == encoding
        code, err = running.stop()
    assert passed == raw
    assert code == 0, err
    assert json.loads(running.record.read_text())["body_text"] == plain.decode()


def test_a_corrupt_gzip_body_is_unreadable_with_its_reason(tmp_path: Path) -> None:
    raw = bytearray(gzip.compress(_seed_body(), mtime=0))
    raw[len(raw) // 2] ^= 0xFF
    with serving(_fixed_upstream(bytes(raw), "gzip")) as upstream, proxy(tmp_path, upstream) as running:
        with httpx.stream("GET", running.base + _task(), headers=HEADERS) as answer:
            passed = b"".join(answer.iter_raw())
        code, _ = running.stop()
    assert passed == bytes(raw)  # what the upstream sent, for the client to judge
    report = running.report.read_text()
    result = json.loads(report)["results"][0]
    assert code == 1 and result["outcome"] == "unreadable" and "gzip encoding is broken" in result["reason"]
    assert _validated(running.record) == (1, report)


def test_a_body_over_the_limit_streams_whole_and_is_counted_over_it(tmp_path: Path) -> None:
    with running_server() as upstream, proxy(tmp_path, upstream, "--max-body-bytes", "100") as running:
        direct = httpx.get(upstream + _task(), headers=HEADERS).content
        passed = httpx.get(running.base + _task(), headers=HEADERS).content
        code, _ = running.stop()
    assert passed == direct and len(direct) > 100
    report = running.report.read_text()
    result = json.loads(report)["results"][0]
    assert (code, result["outcome"], result["rule"]) == (1, "unreadable", "limit.body-bytes")
    assert _validated(running.record) == (1, report)


def test_an_upstream_that_is_down_gets_a_502_and_is_counted(tmp_path: Path) -> None:
    with proxy(tmp_path, f"http://127.0.0.1:{free_port()}") as running:
        answer = httpx.get(running.base + _task(), headers=HEADERS)
        code, _ = running.stop()
    assert answer.status_code == 502 and answer.headers["content-type"] == "application/problem+json"
    assert "could not be reached" in answer.json()["title"]
    report = running.report.read_text()
    result = json.loads(report)["results"][0]
    assert code == 1 and result["outcome"] == "unreadable" and "could not be reached" in result["reason"]
    assert _validated(running.record) == (1, report)


@pytest.mark.parametrize("version", ["1.1", "2"])
def test_a_tls_upstream_is_verified_and_spoken_to_in_the_version_asked(tmp_path: Path, version: str) -> None:
    """An upstream over TLS offering HTTP/2 and HTTP/1.1 (hypercorn): HTTP/1.1 by default, HTTP/2 with --http2, the
    certificate verified against --upstream-ca; bytes and verdicts as over plain HTTP."""
    pytest.importorskip("hypercorn", reason="the TLS upstream is hypercorn (the dev extra)")
    seen: list[str] = []
    reference = make_app()

    async def upstream_app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append(scope["http_version"])
        await reference(scope, receive, send)

    asked = ["--http2"] if version == "2" else []
    with serving_tls(upstream_app) as (upstream, ca):
        direct = httpx.get(upstream + _task(), headers=HEADERS, verify=ssl.create_default_context(cafile=ca))
        with proxy(tmp_path, upstream, "--upstream-ca", ca, *asked) as running:
            passed = [httpx.get(running.base + path, headers=HEADERS) for path in (_task(), _task(MISSING_TASK))]
            code, err = running.stop()
    assert [answer.status_code for answer in passed] == [200, 404]
    assert passed[0].content == direct.content
    assert seen == ["1.1", version, version]
    assert code == 0, err
    report = running.report.read_text()
    assert json.loads(report)["summary"]["conforming"] == 2
    assert _validated(running.record) == (0, report)


@pytest.mark.parametrize("asked", [[], ["--http2"]], ids=["HTTP/1.1", "HTTP/2"])
def test_an_upstream_certificate_no_ca_vouches_for_is_refused(tmp_path: Path, asked: list[str]) -> None:
    pytest.importorskip("hypercorn", reason="the TLS upstream is hypercorn (the dev extra)")
    with serving_tls(make_app()) as (upstream, _), proxy(tmp_path, upstream, *asked) as running:
        answer = httpx.get(running.base + _task(), headers=HEADERS)
        code, _ = running.stop()
    assert answer.status_code == 502 and "could not be reached" in answer.json()["title"]
    assert "CERTIFICATE_VERIFY_FAILED" in answer.json()["title"]
    result = json.loads(running.report.read_text())["results"][0]
    assert code == 1 and result["outcome"] == "unreadable"


def test_a_proxy_that_judged_nothing_exits_5(tmp_path: Path) -> None:
    with running_server() as upstream, proxy(tmp_path, upstream) as running:
        httpx.get(running.base + "/v2/other/path", headers=HEADERS)
        code, err = running.stop()
    assert code == 5 and "nothing was judged" in err
    assert _validated(running.record)[0] == 5


@pytest.mark.parametrize("record", ["record.jsonl.gz", "record.jsonl.zst"])
def test_a_compressed_record_is_validated_as_written(tmp_path: Path, record: str) -> None:
    with running_server() as upstream, proxy(tmp_path, upstream, record=record) as running:
        for _ in range(3):
            httpx.get(running.base + _task(), headers=HEADERS)
        code, _ = running.stop()
    assert code == 0
    assert _validated(running.record) == (0, running.report.read_text())


def test_the_proxy_listens_on_loopback_unless_told() -> None:
    """Never an open relay by default: this machine only."""
    from dms_smartconnect_contract.cli.parser import build_parser

    assert build_parser().parse_args(["proxy", "--upstream", "https://example.com"]).listen == "127.0.0.1:8080"


def _sdk_client(base: str, secret: str) -> object:
    """The official SDK's KafkaClient, signing with AK/SK for `base`."""
    kafka = pytest.importorskip("huaweicloudsdkkafka.v2", reason="the official SDK is a development dependency")
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig

    config = HttpConfig.get_default_config()
    config.retry_times = 0
    credentials = BasicCredentials(ACCESS_KEY, secret, KNOWN["project_id"])
    return kafka.KafkaClient.new_builder().with_http_config(config).with_credentials(credentials) \
        .with_endpoints([base]).build()  # fmt: skip


def test_the_sdk_signs_for_the_proxy_which_verifies_and_signs_again_for_the_upstream(tmp_path: Path) -> None:
    kafka = pytest.importorskip("huaweicloudsdkkafka.v2", reason="the official SDK is a development dependency")
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

    keys = ("--ak", ACCESS_KEY, "--sk", SECRET_KEY)
    with running_server() as upstream:
        with proxy(tmp_path / "signed", upstream, *keys) as running:
            client: Any = _sdk_client(running.base, SECRET_KEY)
            shown = client.show_connector_task(kafka.ShowConnectorTaskRequest(instance_id=KNOWN["instance_id"],
                                                                              task_id=SEED_TASK))  # fmt: skip
            listed = client.list_connector_tasks(kafka.ListConnectorTasksRequest(instance_id=KNOWN["instance_id"]))
            code, err = running.stop()
        assert (shown.status_code, listed.status_code) == (200, 200) and shown.id and listed.tasks
        assert code == 0, err
        operations = [result["operation"] for result in json.loads(running.report.read_text())["results"]]
        assert operations == ["ShowConnectorTask", "ListConnectorTasks"]
        assert SECRET_KEY not in running.record.read_text() + err
        # A client whose signature does not verify is refused as the gateway refuses it, and nothing is forwarded.
        with proxy(tmp_path / "forged", upstream, *keys) as running:
            with pytest.raises(ClientRequestException) as refused:
                _sdk_client(running.base, "not-the-secret-key-0123456789").show_connector_task(
                    kafka.ShowConnectorTaskRequest(instance_id=KNOWN["instance_id"], task_id=SEED_TASK)
                )
            code, err = running.stop()
        assert (refused.value.status_code, refused.value.error_code) == (401, "APIGW.0301")
        assert code == 5 and running.record.read_text() == "" and "signature mismatch" in err
        # Without AK/SK the proxy forwards the request as signed, for its own host: the upstream refuses it.
        with proxy(tmp_path / "unsigned", upstream) as running:
            with pytest.raises(ClientRequestException) as forwarded:
                _sdk_client(running.base, SECRET_KEY).show_connector_task(
                    kafka.ShowConnectorTaskRequest(instance_id=KNOWN["instance_id"], task_id=SEED_TASK)
                )
            running.stop()
        assert forwarded.value.status_code == 401 and len(running.record.read_text().splitlines()) == 1


def _peak_kib(pid: int) -> int:
    """The largest resident set a process has had, in KiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc (Linux)")
def test_a_100_mb_body_streams_through_in_bounded_memory(tmp_path: Path) -> None:
    piece, pieces = b"x" * (1 << 20), 100

    async def large(request: Request) -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            for _ in range(pieces):
                yield piece

        return StreamingResponse(body(), headers={"Content-Type": "application/json"})

    app = Starlette(routes=[Route(TASK_PATH + "{task}", large)])
    with serving(app) as upstream, proxy(tmp_path, upstream) as running:
        before = _peak_kib(running.process.pid)
        received = 0
        with httpx.stream("GET", running.base + _task(), headers=HEADERS, timeout=60) as answer:
            for chunk in answer.iter_raw():
                assert chunk == piece[: len(chunk)]
                received += len(chunk)
        peak = _peak_kib(running.process.pid)
        code, _ = running.stop()
    assert received == pieces * len(piece)
    # What the proxy holds of a body is at most the limit (16 MiB) and a chunk: not the body.
    assert peak - before < 40 * 1024, f"the proxy grew by {(peak - before) // 1024} MiB"
    result = json.loads(running.report.read_text())["results"][0]
    assert (code, result["rule"]) == (1, "limit.body-bytes") and "104857600 bytes" in result["reason"]


def test_500_concurrent_clients_are_each_recorded_once(tmp_path: Path) -> None:
    import asyncio

    async def clients(base: str) -> list[int]:
        limits = httpx.Limits(max_connections=500)
        async with httpx.AsyncClient(base_url=base, headers=HEADERS, limits=limits, timeout=60) as client:
            answers = await asyncio.gather(*(client.get(_task()) for _ in range(500)))
        return [answer.status_code for answer in answers]

    with running_server() as upstream, proxy(tmp_path, upstream) as running:
        statuses = asyncio.run(clients(running.base))
        code, _ = running.stop()
    assert statuses == [200] * 500
    assert len(running.record.read_text().splitlines()) == 500
    summary = json.loads(running.report.read_text())["summary"]
    assert (code, summary["total"], summary["conforming"]) == (0, 500, 500)


def test_an_upstream_killed_mid_run_leaves_the_proxy_running(tmp_path: Path) -> None:
    port = free_port()
    upstream = subprocess.Popen([sys.executable, "-m", "dms_smartconnect_contract", "serve", "--port", str(port),
                                 "--token", TOKEN], stderr=subprocess.PIPE)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert upstream.poll() is None and time.monotonic() < deadline, "the upstream did not start"
                time.sleep(0.05)
        with proxy(tmp_path, base) as running:
            before = httpx.get(running.base + _task(), headers=HEADERS)
            upstream.kill()
            upstream.wait()
            during = [httpx.get(running.base + _task(), headers=HEADERS) for _ in range(3)]
            assert running.process.poll() is None
            code, _ = running.stop()
    finally:
        if upstream.poll() is None:
            upstream.kill()
        upstream.communicate()
    assert before.status_code == 200 and [answer.status_code for answer in during] == [502, 502, 502]
    summary = json.loads(running.report.read_text())["summary"]
    assert (code, summary["conforming"], summary["unreadable"]) == (1, 1, 3)


def test_a_body_cut_off_by_the_upstream_is_cut_off_for_the_client_and_counted(tmp_path: Path) -> None:
    """An upstream that promises 1000 bytes and resets after 10: the client's response ends broken too (never a
    shorter body taken for whole), and the exchange is unreadable, with how far it got."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer_once() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                               b'{"id": "19')  # fmt: skip
        listener.close()

    import threading

    threading.Thread(target=answer_once, daemon=True).start()
    with proxy(tmp_path, f"http://127.0.0.1:{port}") as running:
        with pytest.raises(httpx.HTTPError):
            httpx.get(running.base + _task(), headers=HEADERS)
        code, _ = running.stop()
    result = json.loads(running.report.read_text())["results"][0]
    assert code == 1 and result["outcome"] == "unreadable"
    assert "broke off the body after 10 bytes" in result["reason"]


def test_the_target_and_repeated_headers_pass_as_written(tmp_path: Path) -> None:
    """The request's path keeps its escapes and its query; the response's repeated headers stay apart."""

    async def echo(request: Request) -> Response:
        answer = Response(b"{}", 200, media_type="application/json")
        answer.raw_headers += [(b"x-seen", request.scope["raw_path"] + b"?" + request.scope["query_string"]),
                               (b"x-repeated", b"one"), (b"x-repeated", b"two")]  # fmt: skip
        return answer

    app = Starlette(routes=[Route("/{path:path}", echo)])
    with serving(app) as upstream, proxy(tmp_path, upstream + "/prefix") as running:
        answer = httpx.get(running.base + "/a%2Fb/c%20d?q=%26x&r=1", headers=HEADERS)
        running.stop()
    assert answer.headers["x-seen"] == "/prefix/a%2Fb/c%20d?q=%26x&r=1"
    assert answer.headers.get_list("x-repeated") == ["one", "two"]


def test_a_port_in_use_stops_the_proxy_before_anything_is_written(tmp_path: Path) -> None:
    taken = socket.create_server(("127.0.0.1", 0))
    port = taken.getsockname()[1]
    with taken:
        done = subprocess.run([sys.executable, "-m", "dms_smartconnect_contract", "proxy", "--upstream",
                               "http://127.0.0.1:9", "--listen", f"127.0.0.1:{port}", "--record", "record.jsonl",
                               "--output", "report.json"], capture_output=True, text=True, cwd=tmp_path,
                              timeout=60)  # fmt: skip
    assert done.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in done.stderr, done.stderr
    assert not (tmp_path / "record.jsonl").exists() and not (tmp_path / "report.json").exists()


def test_an_upstream_that_does_not_answer_in_time_gets_a_504_and_is_counted(tmp_path: Path) -> None:
    import asyncio

    async def slow(request: Request) -> Response:
        await asyncio.sleep(5)
        return Response(b"{}", 200, media_type="application/json")

    app = Starlette(routes=[Route("/{path:path}", slow)])
    with serving(app) as upstream, proxy(tmp_path, upstream, "--upstream-timeout", "0.5") as running:
        answer = httpx.get(running.base + _task(), headers=HEADERS, timeout=30)
        code, _ = running.stop()
    assert answer.status_code == 504 and "did not answer in time" in answer.json()["title"]
    report = running.report.read_text()
    result = json.loads(report)["results"][0]
    assert code == 1 and result["outcome"] == "unreadable" and "did not answer in time" in result["reason"]
    assert _validated(running.record) == (1, report)


@pytest.mark.skipif(sys.platform == "win32", reason="a terminal is made with the pty module (POSIX)")
def test_a_terminal_sees_the_summary_line_live(tmp_path: Path) -> None:
    import pty
    import select

    port = free_port()
    controller, terminal = pty.openpty()
    with running_server() as upstream:
        process = subprocess.Popen([sys.executable, "-m", "dms_smartconnect_contract", "proxy", "--upstream", upstream,
                                    "--listen", f"127.0.0.1:{port}", "--output", "report.txt"], stderr=terminal,
                                   stdout=subprocess.DEVNULL, cwd=tmp_path)  # fmt: skip
        os.close(terminal)

        def read_until(wanted: bytes, seen: bytes) -> bytes:
            deadline = time.monotonic() + 20
            while wanted not in seen and time.monotonic() < deadline:
                if select.select([controller], [], [], 0.5)[0]:  # never blocked on a terminal that stays silent
                    seen += os.read(controller, 4096)
            return seen

        try:
            seen = read_until(b"listening", b"")
            httpx.get(f"http://127.0.0.1:{port}{_task()}", headers=HEADERS)
            seen = read_until(b"1 item(s): 1 conforming", seen)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            os.close(controller)
    assert b"\r1 item(s): 1 conforming, 0 violating, 0 skipped, 0 unreadable" in seen
    assert process.returncode == 0
