"""Faults of the machine, not of the capture: a full disk, a file too large, a folder where a file should be, no
permission, a closed pipe, Ctrl-C and SIGTERM. Each is one line naming the place and the system's words, exit 2
(130 and 143 for the signals), and no report at the target that could pass for a finished one."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clirunner import run
from conftest import ROOT

CLI = [sys.executable, "-m", "dms_smartconnect_contract"]
ENV = {**os.environ, "PYTHONPATH": f"{ROOT / 'validators'}{os.pathsep}{ROOT / 'generated'}"}


def _log(folder: Path, lines: int = 1) -> Path:
    log = folder / "traffic.jsonl"
    log.write_text('{"task_name": "a"}\n' * lines)
    return log


def _one_error_line(stderr: str, *parts: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert all(part in lines[0] for part in parts), stderr
    assert "Traceback" not in stderr


def _nothing_left(folder: Path, target: Path) -> None:
    assert not target.exists(), "an unfinished report was left at the target"
    assert not [path for path in folder.iterdir() if path.name.endswith(".partial")], "a temporary file was left"


def test_a_full_disk_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run("validate", "--format", "json", "--output", "/dev/full", str(_log(tmp_path)))
    assert result.code == 2
    _one_error_line(result.err, "the report cannot be written to /dev/full", "No space left on device")


def test_a_file_too_large_for_its_limit_leaves_no_report(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes the report's file system refuse it part way, as a full disk does: the partial file goes."""
    log, target = _log(tmp_path, 20_000), tmp_path / "report.json"
    target.write_text('{"an earlier run": true}')

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    command = [*CLI, "validate", "--format", "json", "--output", str(target), str(log)]
    done = subprocess.run(command, capture_output=True, text=True, env=ENV, preexec_fn=small_files, timeout=120)
    assert done.returncode == 2, done.stderr
    _one_error_line(done.stderr, f"the report cannot be written to {target}", "File too large")
    _nothing_left(tmp_path, target)


def test_a_folder_as_the_output_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run("validate", "--output", str(tmp_path), str(_log(tmp_path)))
    assert result.code == 2
    _one_error_line(result.err, f"the report cannot be written to {tmp_path}", "Is a directory")


def test_no_permission_to_write_the_report_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """sysfs lets nobody, root included, create a file: the report's temporary file is refused there."""
    result = run("validate", "--output", "/sys/report.json", str(_log(tmp_path)))
    assert result.code == 2
    _one_error_line(result.err, "the report cannot be written to /sys/report.json", "Permission denied")


def _unreadable_file(folder: Path) -> Path:
    """A file this process may not read: mode 000, or for root (whom modes do not stop) a write-only kernel file."""
    if os.geteuid() != 0:
        path = folder / "secret.jsonl"
        path.write_text("{}\n")
        path.chmod(0)
        return path
    for candidate in ("/sys/bus/pci/rescan", "/proc/1/mem", "/sys/kernel/notes_write_only"):
        try:
            with open(candidate, "rb"):
                pass
        except PermissionError:
            return Path(candidate)
        except OSError:
            continue
    pytest.skip("running as root on a machine with no file root may not read (write-only sysfs files)")


def test_no_permission_to_read_an_input_is_exit_2_naming_it(tmp_path: Path) -> None:
    path = _unreadable_file(tmp_path)
    result = run("validate", str(path))
    assert result.code == 2 and f"{path}: cannot be opened (Permission denied)" in result.err, result


def test_a_pipe_closed_by_its_reader_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """`validate ... | head -1`: the reader goes away after a line."""
    log = tmp_path / "many.jsonl"
    log.write_text('{"task_name": "a"}\n' * 200_000)
    command = [*CLI, "validate", "-v", "--jobs", "2", str(log)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=120) == 2
    _one_error_line(stderr, "the report cannot be written to standard output", "Broken pipe")


@pytest.mark.parametrize(("sent", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_leaves_no_report_and_says_how_far_it_got(
    sent: signal.Signals, code: int, tmp_path: Path
) -> None:
    log, target = tmp_path / "many.jsonl", tmp_path / "report.json"
    log.write_text('{"task_name": "a", "create_time": "soon"}\n' * 400_000)
    target.write_text('{"an earlier run": true}')
    command = [*CLI, "validate", "--format", "json", "--jobs", "2", "--output", str(target), str(log)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    deadline = time.monotonic() + 60
    while not any(path.name.endswith(".partial") for path in tmp_path.iterdir()):  # the report has begun
        assert time.monotonic() < deadline and process.poll() is None, "the run never began its report"
        time.sleep(0.01)
    time.sleep(0.3)
    process.send_signal(sent)
    _, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    text = err.decode()
    assert text.startswith("interrupted: ") and "item(s):" in text and "Traceback" not in text, text
    assert f"nothing was written to {target}" in text
    _nothing_left(tmp_path, target)


def test_a_finished_report_replaces_the_earlier_one_with_the_mode_of_a_new_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    result = run("validate", "--format", "json", "--output", str(target), str(_log(tmp_path)))
    assert result.code == 0 and json.loads(target.read_text())["summary"]["total"] == 1
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    _nothing_left(tmp_path, tmp_path / "absent")


def test_an_input_that_vanishes_during_the_run_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is removed after the run listed it and before its lines are read (as a log rotation would)."""
    from dms_smartconnect_contract.formats.items import JsonlChunk

    log = _log(tmp_path, 10)
    read = JsonlChunk.read_lines

    def vanished(chunk: JsonlChunk, limit: int) -> list[bytes]:
        Path(chunk.path).unlink(missing_ok=True)
        return read(chunk, limit)

    monkeypatch.setattr(JsonlChunk, "read_lines", vanished)
    result = run("validate", "--jobs", "1", str(log))
    assert result.code == 2
    _one_error_line(result.err, f"an input cannot be read: {log}", "No such file or directory")


@pytest.mark.parametrize(("sent", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_diff_says_so_and_reports_nothing(sent: signal.Signals, code: int, tmp_path: Path) -> None:
    """`diff --captures` stopped (while it judges, here): one line, the signal's exit code, no report of a part."""
    log = tmp_path / "many.jsonl"
    log.write_text('{"task_name": "a", "create_time": "soon"}\n' * 1_500_000)
    contract = str(ROOT / "openapi.yaml")
    command = [*CLI, "diff", contract, contract, "--captures", str(log), "--jobs", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    time.sleep(1.5)  # most likely the captures are being judged by then; any moment gives the same answer
    assert process.poll() is None, "the diff ended before it could be interrupted"
    process.send_signal(sent)
    out, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    text = err.decode()
    assert text == "interrupted: the diff did not finish; nothing was reported\n", text
    assert out == b""


# Run the command with a fork hook that signals the process itself: the handler's exception is raised inside the
# hook, where Python drops it (as a signal arriving while a worker pool forks has it dropped).
_SIGNALLED_AT_FORK = """
import os, runpy, signal, sys
number, sent = int(sys.argv.pop(1)), []
def signal_once():
    if not sent:
        sent.append(True)
        os.kill(os.getpid(), number)
os.register_at_fork(after_in_parent=signal_once)
sys.argv[0] = "smartconnect-contract"
runpy.run_module("dms_smartconnect_contract", run_name="__main__")
"""


@pytest.mark.parametrize(("sent", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("command", ["validate", "diff"])
def test_a_stop_dropped_where_it_was_raised_still_stops_the_run(
    command: str, sent: signal.Signals, code: int, tmp_path: Path
) -> None:
    """The signal comes as the pool starts its workers: the run still ends as stopped, with no report, and no
    traceback of the exception Python dropped."""
    log, target = tmp_path / "many.jsonl", tmp_path / "report.json"
    log.write_text('{"task_name": "a", "create_time": "soon"}\n' * 200_000)  # units enough for a pool
    target.write_text('{"an earlier run": true}')
    contract = str(ROOT / "openapi.yaml")
    arguments = {
        "validate": ["validate", "--format", "json", "--output", str(target), str(log)],
        "diff": ["diff", contract, contract, "--captures", str(log)],
    }[command]
    done = subprocess.run([sys.executable, "-c", _SIGNALLED_AT_FORK, str(int(sent)), *arguments, "--jobs", "2"],
                          capture_output=True, text=True, env=ENV, timeout=120)  # fmt: skip
    assert done.returncode == code, done.stderr
    assert done.stderr.startswith("interrupted: ") and len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stdout == ""
    if command == "validate":
        assert "nothing was written to" in done.stderr
        _nothing_left(tmp_path, target)


def test_a_stop_dropped_in_a_finaliser_ends_the_block_as_stopped_and_finishes_no_report(tmp_path: Path) -> None:
    from dms_smartconnect_contract.reports.destination import ReportFile
    from dms_smartconnect_contract.stopping import Stopped, stoppable

    class SignalsWhenCollected:
        def __del__(self) -> None:
            os.kill(os.getpid(), signal.SIGTERM)

    target, went_on = tmp_path / "report.json", False
    hook = sys.unraisablehook
    with pytest.raises(Stopped) as stopped, stoppable(), ReportFile(target) as out:
        out.write("{}")
        SignalsWhenCollected()  # collected at once: the stop is raised in __del__, and dropped there
        went_on = True
    assert went_on and stopped.value.signal_number == signal.SIGTERM
    _nothing_left(tmp_path, target)
    assert sys.unraisablehook is hook and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
