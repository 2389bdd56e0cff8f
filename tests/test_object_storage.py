"""Captures behind URLs (fsspec): an S3-compatible server (moto in server mode, a process of its own on loopback,
started and stopped here) holding plain and compressed shards gives the report of the same files read locally;
credentials never appear in any output; what cannot be listed stops the run with exit code 2 and one line."""

from __future__ import annotations

import contextlib
import gzip
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zstandard

from dms_smartconnect_contract import install_line

from clirunner import run
from conftest import ROOT
from serverkit import free_port

sys.path.insert(0, str(ROOT / "bench"))
from inputs import make_har, make_jsonl

SECRET = "obs-Secret-9f3kQ2xv7LmN"
KEY_ID = "AKOBSEXAMPLE7Q2X"
BUCKET = "captures"


def _moto(port: int, **env: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("moto server exited") from None
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("moto server did not start")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    port = free_port()
    process = _moto(port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch, endpoint: str) -> str:
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "cn-north-4")
    return endpoint


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local folder of shards as a gateway writes them: plain, gzip and zstd JSONL, a gzip HAR, and a file that is
    no capture, two levels deep."""
    folder = tmp_path_factory.mktemp("shards")
    (folder / "2026" / "11").mkdir(parents=True)
    make_jsonl(folder / "2026" / "a.jsonl", 1500, random.Random(1), "realistic")
    plain = folder / "2026" / "b.jsonl"
    make_jsonl(plain, 1500, random.Random(2), "10% violating")
    (folder / "2026" / "11" / "b.jsonl.gz").write_bytes(gzip.compress(plain.read_bytes()))
    (folder / "2026" / "11" / "c.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(plain.read_bytes()))
    plain.unlink()
    har = folder / "trace.har"
    make_har(har, random.Random(3), entries=200)
    (folder / "2026" / "11" / "trace.har.gz").write_bytes(gzip.compress(har.read_bytes()))
    har.unlink()
    (folder / "2026" / "README.txt").write_text("shards of the gateway log\n")
    return folder


def _upload(shards: Path, endpoint: str, prefix: str) -> None:
    import boto3

    s3 = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET, region_name="us-east-1"
    )
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=BUCKET)
    for path in sorted(shards.rglob("*")):
        if path.is_file():
            s3.put_object(Bucket=BUCKET, Key=f"{prefix}/{path.relative_to(shards)}", Body=path.read_bytes())


def _everything(result: object) -> str:
    return f"{result}"  # exit code, stdout and stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_s3_prefix_gives_the_report_of_the_same_files_read_locally(
    shards: Path, credentials: str, jobs: str
) -> None:
    _upload(shards, credentials, "gateway")
    url = f"s3://{BUCKET}/gateway"
    for fmt in ("json", "text"):
        local = run("validate", "--format", fmt, "--jobs", jobs, str(shards))
        remote = run("validate", "--format", fmt, "--jobs", jobs, url + "/")
        assert remote.code == local.code == 1
        assert remote.out == local.out.replace(str(shards), url)
        assert SECRET not in _everything(remote) and KEY_ID not in _everything(remote)
    summary = run("validate", "--format", "json", url).json()["summary"]
    assert summary["conforming"] > 0 and summary["violating"] > 0 and summary["skipped"] >= 1


def test_storage_options_reach_the_filesystem_and_never_the_output(
    shards: Path, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Credentials and endpoint given as options (no AWS variables); a wrong secret then fails without showing it."""
    _upload(shards, endpoint, "options")
    for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    options = ["--storage-option", f"endpoint_url={endpoint}", "--storage-option", f"key={KEY_ID}"]
    result = run("validate", *options, "--storage-option", f"secret={SECRET}", f"s3://{BUCKET}/options/2026/a.jsonl")
    assert result.code == 1 and "1500 item(s)" in result.out
    assert SECRET not in _everything(result)


def test_denied_access_is_one_line_and_exit_2_without_the_secret(credentials: str) -> None:
    port = free_port()
    process = _moto(port, INITIAL_NO_AUTH_ACTION_COUNT="0")  # every request is authenticated: our key is unknown
    try:
        result = run("validate", "--storage-option", f"endpoint_url=http://127.0.0.1:{port}", f"s3://{BUCKET}/x/")
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert result.code == 2
    assert f"s3://{BUCKET}/x/: access denied" in result.err and result.out == ""
    assert SECRET not in _everything(result)


def test_a_missing_bucket_or_prefix_is_exit_2(credentials: str) -> None:
    for url in ("s3://no-such-bucket/logs/", f"s3://{BUCKET}/no/such/prefix/"):
        result = run("validate", url)
        assert result.code == 2 and f"{url}: no such file or folder" in result.err


def test_an_unreachable_endpoint_is_exit_2(monkeypatch: pytest.MonkeyPatch, credentials: str) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = run("validate", f"s3://{BUCKET}/gateway/")
    assert result.code == 2
    assert f"s3://{BUCKET}/gateway/: cannot be listed" in result.err and "\n  " in result.err
    assert SECRET not in _everything(result)


def test_file_and_memory_urls(shards: Path) -> None:
    import fsspec

    local = run("validate", "--format", "json", "--jobs", "1", str(shards))
    as_url = run("validate", "--format", "json", "--jobs", "1", f"file://{shards}")
    assert as_url.out == local.out.replace(str(shards), f"file://{shards}")
    memory = fsspec.filesystem("memory")
    for path in sorted(shards.rglob("*")):
        if path.is_file():
            memory.pipe(f"/run/{path.relative_to(shards)}", path.read_bytes())
    try:
        in_memory = run("validate", "--format", "json", "--jobs", "1", "memory:///run")
        assert in_memory.out == local.out.replace(str(shards), "memory:///run")
    finally:
        memory.rm("/run", recursive=True)


def test_without_the_s3_extra_the_run_says_what_to_install(tmp_path: Path) -> None:
    script = (
        "import sys; sys.modules['s3fs'] = None\n"
        "from dms_smartconnect_contract.cli import main\n"
        "sys.exit(main(['validate', 's3://bucket/prefix/']))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert install_line("s3") in result.stderr
    assert "Traceback" not in result.stderr


def test_a_shard_that_breaks_midway_in_the_bucket_is_unreadable_there(shards: Path, credentials: str) -> None:
    import boto3

    data = (shards / "2026" / "11" / "b.jsonl.gz").read_bytes()
    s3 = boto3.client("s3", region_name="us-east-1")
    _upload(shards, credentials, "broken")
    s3.put_object(Bucket=BUCKET, Key="broken/2026/11/b.jsonl.gz", Body=data[: len(data) // 2])
    report = run("validate", "--format", "json", f"s3://{BUCKET}/broken/").json()
    unreadable = [r for r in report["results"] if r["outcome"] == "unreadable"]
    assert len(unreadable) == 1
    assert unreadable[0]["location"].startswith(f"s3://{BUCKET}/broken/2026/11/b.jsonl.gz:")
    assert "gzip stream broken" in unreadable[0]["reason"]


def test_messages_are_scrubbed_of_option_secrets_and_aws_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    from dms_smartconnect_contract.sources.files import scrub

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token-value-123")
    text = f"failed with {SECRET}, token session-token-value-123 and password hunter22 at endpoint http://x"
    scrubbed = scrub(text, {"password": "hunter22", "endpoint_url": "http://x"})
    assert scrubbed == "failed with <redacted>, token <redacted> and password <redacted> at endpoint http://x"
