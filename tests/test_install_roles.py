"""Install by role: the base install runs validate, lint and rules; a command or flag whose extra is missing exits
2 with the one `pip install` line to run, never a traceback; `python -m dms_smartconnect_contract` is the command;
bad option values are a clean exit 2 naming the option."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dms_smartconnect_contract import install_line

from conftest import ROOT

EXTRAS = {
    "server": ["starlette", "uvicorn"],
    "proxy": ["starlette", "uvicorn", "aiohttp"],
    "contract": ["schemathesis", "hypothesis"],
    "dask": ["distributed", "dask"],
    "s3": ["s3fs"],
}
SAMPLES = str(ROOT / "samples")


def _without(extras: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    """The command in a fresh interpreter where the modules of these extras cannot be imported."""
    blocked = [module for extra in extras for module in EXTRAS[extra]]
    script = (
        "import sys\n"
        f"for name in {blocked!r}:\n"
        "    sys.modules[name] = None\n"
        "from dms_smartconnect_contract.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120)


def test_the_base_install_validates_lints_and_lists_rules() -> None:
    every = list(EXTRAS)
    assert _without(every, "validate", "-q", SAMPLES).returncode == 1  # the samples hold violations
    assert _without(every, "lint").returncode == 0
    assert _without(every, "rules").returncode == 0


@pytest.mark.parametrize(
    ("extra", "args"),
    [
        ("server", ["serve", "--token", "t"]),
        ("proxy", ["proxy", "--upstream", "http://127.0.0.1:9"]),
        ("contract", ["contract", "--url", "http://127.0.0.1:9", "--token", "t"]),
        ("dask", ["validate", "--scheduler", "local", SAMPLES]),
        ("s3", ["validate", "s3://bucket/prefix/"]),
    ],
)
def test_a_missing_extra_is_one_install_line_and_exit_2(extra: str, args: list[str]) -> None:
    result = _without([extra], *args)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if "pip install" in line]
    assert len(lines) == 1 and install_line(extra) in lines[0] and f"[{extra}]" in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_python_dash_m_is_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dms_smartconnect_contract", "validate", "-q", SAMPLES],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "item(s):" in result.stdout
    version = subprocess.run(
        [sys.executable, "-m", "dms_smartconnect_contract", "--version"], capture_output=True, text=True, timeout=60
    )
    assert version.returncode == 0 and version.stdout.strip()


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["contract", "--max-examples", "-1"], "--max-examples"),
        (["contract", "--max-examples", "0"], "--max-examples"),
        (["validate", "--jobs", "-2", SAMPLES], "--jobs"),
        (["validate", "--jobs", "many", SAMPLES], "--jobs"),
        (["validate", "--format", "yaml", SAMPLES], "--format"),
        (["validate", "--task-mb", "-1", SAMPLES], "--task-mb"),
        (["validate", "--storage-option", "novalue", "s3://b/p/"], "--storage-option"),
        (["validate", "--max-body-size", "big", SAMPLES], "--max-body-size"),
    ],
)
def test_bad_option_values_are_a_clean_exit_2_naming_the_option(args: list[str], option: str) -> None:
    result = _without([], *args)
    assert result.returncode == 2
    assert option in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("recorded", "line"),
    [
        ({"url": "https://git.example.com/team/sc.git", "vcs_info": {"vcs": "git", "requested_revision": "v1.3.1",
          "commit_id": "0" * 40}},
         'pip install "dms-smartconnect-contract[proxy] @ git+https://git.example.com/team/sc.git@v1.3.1"'),
        ({"url": "https://git.example.com/team/sc.git", "vcs_info": {"vcs": "git", "commit_id": "ab" * 20}},
         f'pip install "dms-smartconnect-contract[proxy] @ git+https://git.example.com/team/sc.git@{"ab" * 20}"'),
        ({"url": "file:///srv/wheels/dms_smartconnect_contract-0.1.0-py3-none-any.whl", "archive_info": {}},
         'pip install "dms-smartconnect-contract[proxy] @ file:///srv/wheels/dms_smartconnect_contract-0.1.0-py3-none-any.whl"'),
        ({"url": "file:///home/me/smartconnect", "dir_info": {"editable": True}},
         "pip install -e '/home/me/smartconnect[proxy]'"),
        ({"url": "file:///home/me/smartconnect", "dir_info": {}}, "pip install '/home/me/smartconnect[proxy]'"),
        (None, "pip install 'dms-smartconnect-contract[proxy]' (from the index or --find-links folder it was "
               "installed from)"),
    ],
)  # fmt: skip
def test_the_install_line_is_for_the_way_this_copy_was_installed(
    recorded: dict | None, line: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip records where a distribution came from (PEP 610, direct_url.json): the hint installs the extra from there."""
    import json
    from importlib import metadata

    class Distribution:
        def read_text(self, name: str) -> str | None:
            return json.dumps(recorded) if recorded is not None and name == "direct_url.json" else None

    monkeypatch.setattr(metadata, "distribution", lambda name: Distribution())
    assert install_line("proxy") == line
