"""Terminal behaviour of validate: progress only on an interactive terminal, colour only where wanted."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from dms_smartconnect_contract.contract.provenance import Provenance
from dms_smartconnect_contract.exitcodes import ExitCode
from dms_smartconnect_contract.findings import Finding, Outcome, Result, RunVerdict, Severity, Tally
from dms_smartconnect_contract.reports import make_reporter
from dms_smartconnect_contract.run.progress import Progress, progress_wanted

from clirunner import run


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "env", "quiet", "wanted"),
    [
        (Terminal(), {}, False, True),
        (io.StringIO(), {}, False, False),
        (Terminal(), {"CI": "true"}, False, False),
        (Terminal(), {}, True, False),
    ],
    ids=["terminal", "piped", "under CI", "quiet"],
)
def test_progress_only_on_an_interactive_terminal(
    stream: io.StringIO, env: dict[str, str], quiet: bool, wanted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert progress_wanted(stream, quiet) is wanted


def test_progress_line_shows_share_and_count() -> None:
    stream = Terminal()
    progress = Progress(stream, lambda: 50, 100, lambda: 3)
    progress.last = progress.started - 1  # as if the last redraw were a second ago
    progress.tick(2000)
    assert "50%" in stream.getvalue() and "3 files 2,000 items" in stream.getvalue()
    progress.close()
    assert stream.getvalue().endswith("\r")


def _report(monkeypatch: pytest.MonkeyPatch, no_color: bool) -> str:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    out = Terminal()
    reporter = make_reporter("text", out)
    finding = Finding(
        "schema.type", "/status", "expected string", Severity.ERROR, Provenance("documented", ("reference",))
    )
    tally = Tally()
    tally.add(Result("x.json", Outcome.VIOLATING, [finding]))
    reporter.add(tally)
    reporter.finish(tally, RunVerdict(ExitCode.FINDINGS))
    return out.getvalue()


def test_colour_on_a_terminal_unless_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\033[31merror\033[0m" in _report(monkeypatch, no_color=False)
    assert "\033[" not in _report(monkeypatch, no_color=True)


# What a capture may hold in a field name, a file name or a broken line: escapes a terminal or a CI log would run.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


@pytest.mark.parametrize("report", ["text", "json", "jsonl", "junit", "sarif", "github"])
def test_no_report_passes_a_control_character_through(report: str, tmp_path: Path) -> None:
    log = tmp_path / "log\x1b[2J.jsonl"
    log.write_text('{"name": "a", "\\u001b[31mevil\\u0007": 1}\n{"name": "b", "\x1b]0;title\x07": \n')
    result = run("validate", "--format", report, "-v", str(log))
    assert result.code in (0, 1), result.err
    assert "evil" in result.out and not _CONTROLS.search(result.out), repr(result.out)
    assert not _CONTROLS.search(result.err), repr(result.err)


@pytest.mark.parametrize("report", ["text", "github"])
def test_no_line_of_a_report_can_be_injected_by_a_name(report: str, tmp_path: Path) -> None:
    """A file or field name with a newline would split a line of the report, and a line that starts with `::` is a
    workflow command when the report runs in a GitHub Actions log: names are escaped, so every line is ours."""
    folder = tmp_path / "logs\n::error title=forged::pwned\n"
    folder.mkdir()
    (folder / "a.jsonl").write_text('{"task_name": "a", "x\\n::warning::forged": 1}\n{broken\n')
    result = run("validate", "--format", report, "-v", str(folder))
    assert result.code == 1, result
    lines = (result.out + result.err).splitlines()
    assert any("forged" in line for line in lines)
    forged = [line for line in lines if "forged" in line and (line.startswith("::error title=forged") or
              line.startswith("::warning::forged"))]  # fmt: skip
    assert forged == [], forged
