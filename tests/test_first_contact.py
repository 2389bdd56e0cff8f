"""What a newcomer meets first: each error's hint names the fix that works, every command exits only with the codes
the docs list, every option has help, and the synopses of the README and the docs name only real options."""

from __future__ import annotations

import argparse
import re
import shlex
import socket
from pathlib import Path

import pytest

from dms_smartconnect_contract.cli import build_parser
from dms_smartconnect_contract.contract import read_document
from dms_smartconnect_contract.live.targets import path_parameters

from clirunner import run

ROOT = Path(__file__).resolve().parents[1]
# The exit codes the command line page lists for every command (docs/reference/cli.md, "Exit codes").
DOCUMENTED_CODES = {0, 1, 2, 5, 130, 143}


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    found = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    return dict(found.choices)


def test_lint_of_a_file_that_is_no_contract_hints_at_lint_s_own_argument(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.1.0\ninfo: {title: x}\n")
    result = run("lint", str(bad))
    assert result.code == 2
    assert "--contract" not in result.err  # lint takes the file itself, and has no such option
    assert str(bad) in result.err


def test_serve_with_unreadable_data_hints_at_the_data_not_the_credentials(tmp_path: Path) -> None:
    result = run("serve", "--token", "t", "--data", str(tmp_path / "nope.json"))
    assert result.code == 2
    assert "nope.json" in result.err and "--data" in result.err
    assert "SMARTCONNECT_TOKEN" not in result.err


def test_serve_without_credentials_hints_at_the_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SMARTCONNECT_TOKEN", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"):
        monkeypatch.delenv(name, raising=False)
    result = run("serve")
    assert result.code == 2
    assert "SMARTCONNECT_TOKEN" in result.err


@pytest.mark.parametrize("command", ["serve", "proxy"])
def test_an_address_in_use_is_exit_2_naming_it(command: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        if command == "serve":
            result = run("serve", "--token", "t", "--port", str(port))
        else:
            result = run("proxy", "--upstream", "http://127.0.0.1:9", "--listen", f"127.0.0.1:{port}")
    assert result.code == 2 and result.code in DOCUMENTED_CODES
    assert f"127.0.0.1:{port}" in result.err and "in use" in result.err
    assert "Errno" not in result.err and "Traceback" not in result.err


@pytest.mark.parametrize("command", ["validate", "proxy"])
def test_a_body_limit_of_zero_is_refused(command: str) -> None:
    args = ["validate", "samples/"] if command == "validate" else ["proxy", "--upstream", "http://127.0.0.1:9"]
    result = run(*args, "--max-body-bytes", "0")
    assert result.code == 2
    assert "--max-body-bytes" in result.err and "at least 1" in result.err


def test_every_command_and_option_says_what_it_is_for() -> None:
    missing = []
    for name, command in _commands().items():
        if not command.description:
            missing.append(f"{name}: no description")
        for action in command._actions:
            if not action.help:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}: no help")
    assert missing == []


@pytest.mark.parametrize("command", ["validate", "proxy"])
def test_strict_says_it_makes_inferred_rules_and_drift_errors(command: str) -> None:
    strict = next(action for action in _commands()[command]._actions if "--strict" in action.option_strings)
    assert "inferred" in strict.help and "drift" in strict.help  # type: ignore[operator]


# `smartconnect-contract COMMAND ...` in a code span or a code block (a block's line continued with a backslash).
_SYNOPSIS = re.compile(r"smartconnect-contract ([a-z]+)((?:[^`\n|#]|\\\n)*)")


def _synopses() -> list[tuple[str, str, str]]:
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for match in _SYNOPSIS.finditer(page.read_text()):
            found.append((page.relative_to(ROOT).as_posix(), match.group(1), match.group(2).replace("\\\n", " ")))
    return found


def test_the_synopses_of_the_readme_and_the_docs_name_only_real_options() -> None:
    commands = _commands()
    parameters = {f"--{name.replace('_', '-')}" for name in path_parameters(read_document())}
    synopses = _synopses()
    assert len(synopses) > 20  # the pattern finds them: the README alone has a dozen
    wrong = []
    for page, name, rest in synopses:
        if name not in commands:
            wrong.append(f"{page}: no command {name!r}")
            continue
        known = {flag for action in commands[name]._actions for flag in action.option_strings}
        known |= parameters if name == "contract" else set()
        try:
            words = shlex.split(rest, posix=True)
        except ValueError:
            words = rest.split()
        for word in words:
            flag = word.strip("[]").split("=", 1)[0]
            if re.fullmatch(r"--?[a-z][a-z0-9-]*", flag) and flag not in known:
                wrong.append(f"{page}: {name} has no option {flag}")
    assert wrong == []


def test_the_cli_page_is_written_from_the_parser() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import hooks
    finally:
        sys.path.pop(0)
    page = hooks.cli_reference()
    for name, command in _commands().items():
        assert f"### {name}" in page
        for action in command._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert f"`{flag}" in page or f", {flag}" in page, (name, flag)
    assert "<!-- cli -->" in (ROOT / "docs" / "reference" / "cli.md").read_text()


# --- the wrong file, and standard input -------------------------------------------------------------------------


def test_validate_of_the_contract_is_a_usage_error_pointing_at_lint() -> None:
    result = run("validate", str(ROOT / "openapi.yaml"))
    assert result.code == 2
    assert "an OpenAPI document, not a capture" in result.err and "smartconnect-contract lint" in result.err


def test_an_openapi_document_in_a_folder_of_captures_is_skipped_saying_what_it_is(tmp_path: Path) -> None:
    (tmp_path / "openapi.json").write_bytes(
        (ROOT / "generated" / "dms_smartconnect_models" / "openapi.json").read_bytes()
    )
    (tmp_path / "log.jsonl").write_bytes(
        (ROOT / "samples" / "service-log.jsonl").read_bytes()[:20000].rpartition(b"\n")[0]
    )
    result = run("validate", "--format", "json", str(tmp_path))
    report = result.json()
    assert report["skipped_reasons"] == {"an OpenAPI document, not a capture": 1}
    assert report["summary"]["violating"] + report["summary"]["conforming"] > 0


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


# How each report writes the name <stdin>: escaped as XML in JUnit, as a URI in SARIF.
_STDIN_NAMES = {"junit": "&lt;stdin&gt;", "sarif": "%3Cstdin%3E"}


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "junit", "sarif", "github"])
@pytest.mark.parametrize("sample", ["service-log.jsonl", "browser-capture.har", "pretty.har", "service-log.jsonl.gz",
                                    "task.json"])  # fmt: skip
def test_standard_input_gives_the_report_its_file_gives(
    sample: str, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gzip
    import json

    monkeypatch.chdir(tmp_path)
    source = ROOT / "samples" / sample.replace("pretty.", "browser-capture.").removesuffix(".gz")
    if sample == "pretty.har":
        data = json.dumps(json.loads(source.read_bytes()), indent=2).encode()
    elif sample == "task.json":  # a pretty-printed body: its first line is no JSON document
        lines = (ROOT / "samples" / "service-log.jsonl").read_bytes().splitlines()
        data = json.dumps(json.loads(lines[56]), indent=2).encode()
    else:
        data = source.read_bytes()
    if sample.endswith(".gz"):
        data = gzip.compress(data)
    Path(sample).write_bytes(data)
    from_file = run("validate", "--jobs", "1", "--format", fmt, sample)
    _stdin(monkeypatch, data)
    from_stdin = run("validate", "--format", fmt, "-")
    assert from_stdin.code == from_file.code
    assert from_stdin.out == from_file.out.replace(sample, _STDIN_NAMES.get(fmt, "<stdin>"))
    assert from_file.code in (0, 1)


def test_standard_input_is_named_once_and_never_holds_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, b"")
    assert run("validate", "-", "-").code == 2
    _stdin(monkeypatch, (ROOT / "openapi.yaml").read_bytes())
    result = run("validate", "-")
    assert result.code == 2 and "OpenAPI document" in result.err
    _stdin(monkeypatch, b"")
    assert run("validate", "-").code == 5  # nothing came: the run proved nothing


def test_standard_input_is_judged_as_it_comes() -> None:
    """A pipe whose writer has not finished (kubectl logs -f): its first lines are reported before it ends."""
    import select
    import subprocess
    import sys
    import time

    lines = (ROOT / "samples" / "service-log.jsonl").read_bytes().splitlines(keepends=True)
    command = [sys.executable, "-m", "dms_smartconnect_contract", "validate", "--format", "jsonl", "-"]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(b"".join(lines[:5]))
        process.stdin.flush()
        got, began = b"", time.monotonic()
        while got.count(b"\n") < 5 and time.monotonic() - began < 60:
            if select.select([process.stdout], [], [], 0.5)[0]:
                got += process.stdout.read1(1 << 16)
        still_open = process.poll() is None
        process.stdin.write(b"".join(lines[5:10]))
        process.stdin.close()
        rest = process.stdout.read()
    assert got.count(b"\n") == 5 and still_open, "the first lines were not reported while the pipe stayed open"
    assert process.returncode == 0
    records = [line for line in (got + rest).splitlines() if b'"type":"result"' in line]
    assert len(records) == 10


@pytest.mark.parametrize(
    ("url", "says"),
    [("127.0.0.1:18080", "has no scheme"), ("ftp://127.0.0.1", "scheme is ftp://"), ("http:///v2", "has no host")],
)
def test_contract_names_what_is_wrong_with_its_url(url: str, says: str) -> None:
    known = ["--project-id", "p", "--instance-id", "i", "--task-id", "t", "--token", "x"]
    result = run("contract", "--url", url, *known)
    assert result.code == 2
    assert says in result.err and url in result.err and "https://HOST" in result.err
    assert "no response" not in result.err


def test_the_contract_minified_on_standard_input_is_refused_but_a_capture_quoting_one_is_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    document = json.loads((ROOT / "generated" / "dms_smartconnect_models" / "openapi.json").read_bytes())
    _stdin(monkeypatch, json.dumps(document).encode() + b"\n")
    refused = run("validate", "-")
    assert refused.code == 2 and "OpenAPI document" in refused.err
    # A record of a call that returned an OpenAPI document: a capture, judged (as no operation of the contract).
    record = {"request": {"method": "GET", "url": "https://h/openapi.json"},
              "response": {"status": 200, "headers": {"content-type": "application/json"}, "body": document}}  # fmt: skip
    capture = tmp_path / "calls.jsonl"
    capture.write_text(json.dumps(record) + "\n")
    for given in (str(capture), "-"):
        _stdin(monkeypatch, capture.read_bytes())
        judged = run("validate", "--allow-empty", "--format", "json", given)
        assert judged.code == 0 and judged.json()["summary"]["skipped"] == 1, given
