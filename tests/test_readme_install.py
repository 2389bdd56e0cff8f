"""Every install line of the README and the docs, run as written, in a new environment each; then the newcomer's
walk through the README in those environments, and its pre-commit hook in a consuming repository.

The repository is a clone of this one (its working tree, tagged by `make release`'s script) reached as a file:// URL, in
place of the URL a team clones it from. pip works offline: every dependency comes from the wheelhouse that
`make install` downloads (PIP_NO_INDEX, PIP_FIND_LINKS), so each line resolves exactly as it would from an index.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT

WHEELHOUSE = ROOT / ".venv" / "wheelhouse"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
_INSTALL = re.compile(r"pip install [^`\n]+")
_TOOLKIT = re.compile(r"dms-smartconnect-contract(?:\[(\w+)\])?|'\.\[(\w+)\]'")


def _release_tag() -> str:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import release
    finally:
        sys.path.pop(0)
    return str(release.release_tag())


def install_lines() -> dict[str, list[str]]:
    """Each install line the pages show (a trailing comment aside), and the pages that show it."""
    found: dict[str, list[str]] = {}
    for page in PAGES:
        for match in _INSTALL.finditer(page.read_text()):
            line = " ".join(shlex.split(match.group(), comments=True, posix=False)).rstrip("|").strip()
            found.setdefault(line, []).append(page.relative_to(ROOT).as_posix())
    return found


def readme_variables() -> str:
    """The README's block that sets SMARTCONNECT and MODELS, as shell lines."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```sh\n(SMARTCONNECT=.*?)```", text, re.S)
    assert block is not None, "the README sets SMARTCONNECT and MODELS in a sh block of Install by role"
    return block.group(1)


@dataclass
class Installed:
    line: str
    python: Path
    output: str
    code: int

    @property
    def bin(self) -> Path:
        return self.python.parent


@pytest.fixture(scope="module")
def release_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of this repository's working tree, tagged as `make release` tags it, its wheels built as `make dist`
    builds them."""
    if not any(WHEELHOUSE.glob("hatchling-*.whl")):
        raise RuntimeError(f"{WHEELHOUSE} lacks the wheels of the install lines: run `make install`")
    clone = tmp_path_factory.mktemp("release") / "smartconnect-contract"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    # The working tree as it is (its changes not committed yet included), committed in the clone.
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source, target = ROOT / name, clone / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        elif target.exists():
            target.unlink()
    environment = {**os.environ, "GIT_COMMITTER_NAME": "release", "GIT_COMMITTER_EMAIL": "release@localhost",
                   "GIT_AUTHOR_NAME": "release", "GIT_AUTHOR_EMAIL": "release@localhost"}  # fmt: skip
    subprocess.run(["git", "add", "-A"], cwd=clone, check=True)
    if subprocess.run(["git", "diff", "--cached", "--quiet"], cwd=clone).returncode:
        subprocess.run(["git", "commit", "-q", "-m", "the working tree"], cwd=clone, check=True, env=environment)
    subprocess.run([sys.executable, "scripts/release.py", "--tag-only"], cwd=clone, check=True, env=environment,
                   capture_output=True)  # fmt: skip
    build = [sys.executable, "-m", "build", "--no-isolation", "--outdir", "dist"]
    for project in ("generated", "."):
        subprocess.run([*build, project], cwd=clone, check=True, capture_output=True)
    return clone


def _offline() -> dict[str, str]:
    return {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(WHEELHOUSE), "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_NO_CACHE_DIR": "1"}  # fmt: skip


def _install(line: str, clone: Path, folder: Path) -> Installed:
    """`line` run by bash in a new environment, with the README's variables pointing at the clone's release."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    variables = readme_variables().replace("git+https://git.example.com/your-team/smartconnect-contract.git",
                                           f"git+file://localhost{clone}")  # fmt: skip
    script = f"set -e\n{variables}\n{line}\n"
    environment = {**_offline(), "PATH": f"{folder / 'bin'}:{os.environ['PATH']}"}
    environment.pop("VIRTUAL_ENV", None)
    done = subprocess.run(["bash", "-c", script], cwd=clone, env=environment, capture_output=True, text=True)
    return Installed(line, folder / "bin" / "python", done.stdout + done.stderr, done.returncode)


@pytest.fixture(scope="module")
def installed(release_clone: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Installed]:
    """Every install line of the pages, each in its own new environment, three at a time."""
    lines = sorted(install_lines())
    folders = [tmp_path_factory.mktemp("venv") for _ in lines]
    with ThreadPoolExecutor(3) as pool:
        done = list(pool.map(lambda pair: _install(pair[0], release_clone, pair[1]), zip(lines, folders, strict=True)))
    return {one.line: one for one in done}


# What an environment must hold for an extra: every requirement the toolkit's metadata lists under it, satisfied.
_SATISFIED = """
import sys
from importlib import metadata
from pip._vendor.packaging.requirements import Requirement

extra, missing = sys.argv[1], []
for text in metadata.requires("dms-smartconnect-contract") or []:
    requirement = Requirement(text)
    if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
        continue
    try:
        version = metadata.version(requirement.name)
    except metadata.PackageNotFoundError:
        missing.append(requirement.name)
        continue
    if not requirement.specifier.contains(version, prereleases=True):
        missing.append(f"{requirement.name} {version}")
print(", ".join(missing))
sys.exit(1 if missing else 0)
"""


def test_the_pages_show_only_install_lines_of_the_forms_this_test_runs() -> None:
    lines = install_lines()
    assert len(lines) >= 9  # the role table's seven, the checkout's and the wheels'
    for line, pages in lines.items():
        assert "$SMARTCONNECT" in line or "$MODELS" in line or "./generated" in line or "--find-links dist" in line, (
            f"{line!r} ({', '.join(pages)}) installs from no place this repository provides"
        )


def test_every_install_line_installs_its_role(installed: dict[str, Installed]) -> None:
    failed = [f"{one.line}\n{one.output[-3000:]}" for one in installed.values() if one.code != 0]
    assert failed == []
    for one in installed.values():
        match = _TOOLKIT.search(one.line)
        if match is None:  # the models alone, with pydantic alone
            checked = subprocess.run([str(one.python), "-c", "import dms_smartconnect_models, pydantic"])
            assert checked.returncode == 0, one.line
            assert not (one.bin / "smartconnect-contract").exists(), one.line
            continue
        extra = match.group(1) or match.group(2) or ""
        satisfied = subprocess.run([str(one.python), "-c", _SATISFIED, extra], capture_output=True, text=True)
        assert satisfied.returncode == 0, f"{one.line}: missing {satisfied.stdout}"
        samples = subprocess.run([str(one.bin / "smartconnect-contract"), "validate", "-q", str(ROOT / "samples")],
                                 capture_output=True, text=True)  # fmt: skip
        assert samples.returncode == 1, f"{one.line}: {samples.stderr}"  # the samples hold violations


def test_a_missing_extra_names_the_install_line_of_the_way_it_was_installed(installed: dict[str, Installed],
                                                                          release_clone: Path) -> None:  # fmt: skip
    base = next(one for one in installed.values() if "dms-smartconnect-contract @ $SMARTCONNECT" in one.line)
    hint = subprocess.run([str(base.bin / "smartconnect-contract"), "serve", "--token", "t"], capture_output=True,
                          text=True)  # fmt: skip
    assert hint.returncode == 2
    tag = _release_tag()
    expected = f'pip install "dms-smartconnect-contract[server] @ git+file://localhost{release_clone}@{tag}"'
    assert expected in hint.stderr
    wheels = next(one for one in installed.values() if "--find-links dist" in one.line)
    asked = subprocess.run([str(wheels.python), "-c", "from dms_smartconnect_contract import install_line as line\n"
                            "print(line('s3'))"], capture_output=True, text=True)  # fmt: skip
    assert "pip install 'dms-smartconnect-contract[s3]' (from the index or --find-links folder" in asked.stdout


def test_the_pre_commit_rev_is_the_tag_make_release_makes() -> None:
    revs = re.findall(r"^\s*rev: (\S+)", (ROOT / "docs" / "ci" / "index.md").read_text(), re.M)
    assert revs == [_release_tag()]
    tags = re.findall(r"smartconnect-contract\.git@(v[\d.]+)", "".join(page.read_text() for page in PAGES))
    assert tags and set(tags) == {_release_tag()}


def test_the_pre_commit_hook_prints_each_failing_fixture_and_its_findings(release_clone: Path, tmp_path: Path) -> None:
    consumer = tmp_path / "consumer"
    fixtures = consumer / "tests" / "fixtures" / "smartconnect"
    fixtures.mkdir(parents=True)
    lines = (ROOT / "samples" / "service-log.jsonl").read_text().splitlines()
    (fixtures / "good.json").write_text(lines[0])
    (fixtures / "broken.json").write_text(lines[56])  # create_time as a string
    (consumer / "other.json").write_text("{}")  # outside `files:`: not judged
    config = re.search(r"```yaml\n(- repo: .*?)```", (ROOT / "docs" / "ci" / "index.md").read_text(), re.S)
    assert config is not None
    hooks = config.group(1).replace(
        "<the URL your team clones this repository from>", f"file://localhost{release_clone}"
    )
    (consumer / ".pre-commit-config.yaml").write_text(
        "repos:\n" + "\n".join(f"  {line}" for line in hooks.splitlines())
    )
    for command in (["init", "-q"], ["add", "."]):
        subprocess.run(["git", *command], cwd=consumer, check=True)
    environment = {**_offline(), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    environment.pop("VIRTUAL_ENV", None)
    done = subprocess.run([str(Path(sys.executable).parent / "pre-commit"), "run", "--all-files"], cwd=consumer,
                          env=environment, capture_output=True, text=True)  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "tests/fixtures/smartconnect/broken.json: error schema.type at /create_time" in output
    assert "good.json:" not in output and "other.json" not in output
    assert "2 item(s): 1 conforming, 1 violating" in output


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _role(installed: dict[str, Installed], extra: str) -> Installed:
    return next(one for one in installed.values() if f"dms-smartconnect-contract[{extra}] @ $SMARTCONNECT" in one.line)


def test_a_newcomer_s_walk_through_the_readme(installed: dict[str, Installed], release_clone: Path,
                                              tmp_path: Path) -> None:  # fmt: skip
    """After installing by role: validate the samples, run the contract tests against the reference server, and
    assert the contract in a test suite of one's own, each as the README writes it."""
    readme = (ROOT / "README.md").read_text()
    # validate: the README's example, and the summary line it shows.
    shown = re.search(r"```\n\$ (smartconnect-contract validate samples/)\n(.*?)```", readme, re.S)
    assert shown is not None
    base = next(one for one in installed.values() if "dms-smartconnect-contract @ $SMARTCONNECT" in one.line)
    command = shlex.split(shown.group(1))
    validated = subprocess.run([str(base.bin / command[0]), *command[1:]], cwd=release_clone, capture_output=True,
                               text=True)  # fmt: skip
    assert validated.returncode == 1
    assert validated.stdout.splitlines()[-1] == shown.group(2).strip().splitlines()[-1]
    # contract: the reference server in the background, then the contract tests against it.
    block = re.search(r"## Contract tests\n\n```sh\n(.*?)```", readme, re.S)
    assert block is not None
    serve_line, contract_line = block.group(1).replace("\\\n", " ").strip().splitlines()
    port, token = str(_free_port()), "MIIwalk" + "A" * 60
    serve_words = shlex.split(serve_line.replace("8080", port), comments=True)
    assert serve_words[0] == "SMARTCONNECT_TOKEN=..." and serve_words[-1] == "&"
    environment = {**os.environ, "SMARTCONNECT_TOKEN": token}
    server = _role(installed, "server")
    log = tmp_path / "serve.log"
    with log.open("w") as written, subprocess.Popen([str(server.bin / serve_words[1]), *serve_words[2:-1]],
                                                    env=environment, stdout=written, stderr=written) as serving:  # fmt: skip
        try:
            began = time.monotonic()  # it says where it listens once it does
            while "listening on" not in log.read_text() and time.monotonic() - began < 60:
                assert serving.poll() is None, log.read_text()
                time.sleep(0.2)
            contract = _role(installed, "contract")
            words = shlex.split(contract_line.replace("8080", port))
            tested = subprocess.run([str(contract.bin / words[0]), *words[1:]], cwd=tmp_path, env=environment,
                                    capture_output=True, text=True, timeout=600)  # fmt: skip
            assert tested.returncode == 0, tested.stdout + tested.stderr
            assert (tmp_path / "out.xml").exists() and "proved nothing" not in tested.stdout
            # assert_conforms in the team's own suite: the README's test, with a client of that server.
            snippet = re.search(r"```python\n(from dms_smartconnect_contract\.testing import .*?)```", readme, re.S)
            assert snippet is not None
            suite = tmp_path / "suite"
            suite.mkdir()
            (suite / "conftest.py").write_text(
                "import httpx, pytest\n\n@pytest.fixture\ndef client():\n"
                f"    with httpx.Client(base_url='http://127.0.0.1:{port}', headers={{'X-Auth-Token': {token!r}}}) as c:\n"
                "        yield c\n"
            )  # fmt: skip
            known = dict(re.findall(r"--(project|instance|task)-id (\S+)", contract_line))
            values = "".join(f"{name} = {value!r}\n" for name, value in known.items())
            (suite / "test_consumer.py").write_text(values + snippet.group(1))
            own = subprocess.run([str(contract.bin / "pip"), "install", "--quiet", "pytest", "httpx"],
                                 env=_offline(), capture_output=True, text=True)  # fmt: skip
            assert own.returncode == 0, own.stderr
            ran = subprocess.run([str(contract.python), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=suite,
                                 capture_output=True, text=True)  # fmt: skip
            assert ran.returncode == 0 and "1 passed" in ran.stdout, ran.stdout + ran.stderr
        finally:
            serving.terminate()


def test_make_demo_runs_the_main_job_as_the_readme_says(release_clone: Path) -> None:
    """`make demo` in a fresh clone, with this environment for its .venv (-o: the install is not made again): the
    contract is linted, the samples validated, a breaking change found, and the contract tests pass."""
    venv = release_clone / ".venv"
    if not venv.exists():
        venv.symlink_to(ROOT / ".venv")
    done = subprocess.run(["make", "-o", ".venv/.installed", "demo"], cwd=release_clone, capture_output=True,
                          text=True, timeout=900)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "== smartconnect-contract validate samples/" in done.stdout
    summary = [line for line in done.stdout.splitlines() if " request(s): " in line]
    assert summary and summary[-1].split(": ", 1)[1].startswith(summary[-1].split()[0] + " passed, 0 failed")
