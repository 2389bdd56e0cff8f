"""A real Dask cluster on loopback: a scheduler and two workers, each a process of its own (`dask scheduler`,
`dask worker`), started and stopped here. A capture of plain, gzip and zstd shards judged on the cluster gives the
report of a local run, the workers really run the tasks, and a worker killed mid-run changes nothing."""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
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
from inputs import make_har, make_jsonl, make_records

# Dask leaves sockets of closed connections to the collector, which pytest reports as unraisable warnings.
pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
distributed = pytest.importorskip(
    "distributed", reason="the dask extra is not installed: pip install ./generated '.[dask]'"
)
DASK = str(Path(sys.executable).with_name("dask"))
CLI = [sys.executable, "-c", "import sys\nfrom dms_smartconnect_contract.cli import main\nsys.exit(main(sys.argv[1:]))"]


class Cluster:
    def __init__(self, address: str, processes: list[subprocess.Popen[bytes]]) -> None:
        self.address, self.processes = address, processes

    def client(self) -> distributed.Client:
        return distributed.Client(self.address, timeout="30s")

    def executed(self) -> dict[str, int]:
        """Tasks each worker has run so far."""
        with self.client() as client:
            counts: dict[str, int] = client.run(lambda dask_worker: dask_worker.state.executed_count)
            return counts


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask")
    common = ["--no-dashboard"]
    commands = {
        "scheduler": [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), *common],
        "w1": [DASK, "worker", address, "--name", "w1", "--nthreads", "1", "--host", "127.0.0.1", *common],
        "w2": [DASK, "worker", address, "--name", "w2", "--nthreads", "1", "--host", "127.0.0.1", *common],
    }
    processes = []
    for name, command in commands.items():
        with (logs / f"{name}.log").open("wb") as log:  # the process keeps its own descriptor
            processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with distributed.Client(address, timeout="5s") as client:
                    client.wait_for_workers(2, timeout=60)
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield Cluster(address, processes)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Plain, gzip and zstd JSONL shards (the plain one of many byte ranges), a HAR in ranges, a minified HAR (no
    ranges: one whole-file unit), a body file, and exchange records whose requests break the contract."""
    folder = tmp_path_factory.mktemp("capture")
    make_jsonl(folder / "a.jsonl", 12000, random.Random(11), "realistic")
    shard = folder / "b.jsonl"
    make_jsonl(shard, 3000, random.Random(12), "10% violating")
    (folder / "b.jsonl.gz").write_bytes(gzip.compress(shard.read_bytes()))
    (folder / "c.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(shard.read_bytes()))
    shard.unlink()
    make_har(folder / "d.har", random.Random(13), entries=400)
    # Exchange records whose requests are judged too: invalid IDs and requests without credentials among them.
    make_records(folder / "g.jsonl", 2000, random.Random(14), nested=False, mix="10% violating")
    minified = json.loads((folder / "d.har").read_text())
    (folder / "e.har").write_text(json.dumps(minified, separators=(",", ":")))
    body = ROOT / "tests" / "exchanges"
    first = sorted(path for path in body.rglob("*.json") if not path.name.endswith(".expected.json"))[0]
    (folder / "f.json").write_bytes(first.read_bytes())
    return folder


def _units(capture: Path, task_mb: int) -> int:
    """How many units of work (tasks) a cluster run of the capture makes."""
    from dms_smartconnect_contract.formats.reader import Reader
    from dms_smartconnect_contract.run.units import units_of as units

    reader = Reader(max_body_size=1 << 24, whole_files=True, chunk_bytes=task_mb << 20)
    return len(list(units(reader.items([capture]))))


def test_the_cluster_gives_the_report_of_a_local_run(cluster: Cluster, capture: Path) -> None:
    before = cluster.executed()
    for fmt, task_mb in (("json", "1"), ("text", "16")):  # many ranges of a.jsonl, then the cluster's default
        local = run("validate", "--format", fmt, str(capture))
        remote = run("validate", "--format", fmt, "--scheduler", cluster.address, "--task-mb", task_mb, str(capture))
        assert remote.code == local.code == 1
        assert remote.out == local.out
    after = cluster.executed()
    ran = {name: after[name] - before.get(name, 0) for name in after}
    assert len(ran) == 2 and all(count > 0 for count in ran.values()), ran
    assert sum(ran.values()) == _units(capture, 1) + _units(capture, 16)  # every unit a task, each run once
    assert _units(capture, 1) > _units(capture, 16) >= 6


def test_a_worker_killed_mid_run_changes_nothing(cluster: Cluster, capture: Path, tmp_path: Path) -> None:
    """The slow engine keeps tasks running long enough to kill a worker in the middle of one; Dask runs its tasks
    again elsewhere, and every item is counted once."""
    local = run("validate", "--format", "json", "--engine", "reference", str(capture))
    with cluster.client() as client:
        pids: dict[str, int] = client.run(os.getpid)
        command = [*CLI, "validate", "--format", "json", "--engine", "reference", "--scheduler", cluster.address]
        report = tmp_path / "report.json"
        process = subprocess.Popen([*command, "--output", str(report), str(capture)], stderr=subprocess.PIPE)
        victim = None
        deadline = time.monotonic() + 60
        while victim is None and time.monotonic() < deadline and process.poll() is None:
            busy = [worker for worker, tasks in client.processing().items() if tasks]
            if len(busy) == 2:
                victim = busy[0]
                os.kill(pids[victim], signal.SIGKILL)
            time.sleep(0.05)
        _, err = process.communicate(timeout=300)
        assert victim is not None, "the run ended before a worker could be killed"
        client.wait_for_workers(2, timeout=60)  # the nanny starts a new worker process
        assert pids[victim] not in client.run(os.getpid).values()
    assert process.returncode == 1, err
    got = json.loads(report.read_text())
    assert got == local.json()
    assert got["summary"]["total"] == local.json()["summary"]["total"]


def test_a_local_cluster_for_a_user_without_one(capture: Path) -> None:
    local = run("validate", "--format", "json", str(capture))
    remote = run("validate", "--format", "json", "--scheduler", "local", "--jobs", "2", str(capture))
    assert remote.out == local.out and remote.code == 1


def test_a_scheduler_that_does_not_answer_is_exit_2(capture: Path) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    result = subprocess.run(
        [*CLI, "validate", "--scheduler", address, str(capture)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert f"{address}: the scheduler does not answer" in result.stderr and "Traceback" not in result.stderr


def test_without_the_dask_extra_the_run_says_what_to_install(capture: Path) -> None:
    script = (
        "import sys; sys.modules['distributed'] = None\n"
        "from dms_smartconnect_contract.cli import main\n"
        f"sys.exit(main(['validate', '--scheduler', 'local', {str(capture)!r}]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert install_line("dask") in result.stderr and "Traceback" not in result.stderr


def test_the_task_size_changes_no_finding(capture: Path) -> None:
    """Ranges of 1 MB (local default), 2 MB and 16 MB (cluster default) cut the same file into other units: the
    report is the same, line numbers included."""
    reports = {
        size: run("validate", "--format", "json", "--task-mb", size, str(capture)).out for size in ["1", "2", "16"]
    }
    assert reports["1"] == reports["2"] == reports["16"]
    assert json.loads(reports["1"])["summary"]["total"] > 12000
