"""Results folders safe by construction: one writer, complete or absent, the user's files kept (issue #18)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import yaml

from sim.cli.main import main
from sim.cli.options import default_out
from sim.core.errors import ResultsError
from sim.results.bundle import load_results
from sim.results.outdir import locked

from .conftest import HEADLINE, SMALL


@pytest.fixture
def small_yaml(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
    return path


def _no_simulation(monkeypatch) -> None:
    """Make any simulation fail the test: what is refused must be refused before one starts."""
    import importlib

    def simulated(*args, **kwargs):
        raise AssertionError("a simulation started")

    monkeypatch.setattr(importlib.import_module("sim.model.run"), "_simulate", simulated)


def test_a_second_writer_of_one_folder_fails_at_once(small_yaml, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    with locked(out), monkeypatch.context() as m:  # another command is writing it
        _no_simulation(m)
        assert main(["run", str(small_yaml), "--out", str(out), "--no-charts"]) == 2
    assert "is writing it" in capsys.readouterr().err and not out.exists()
    assert main(["run", str(small_yaml), "--out", str(out), "--no-charts"]) == 0  # the lock went with its holder


def test_a_run_killed_midway_leaves_no_folder_that_looks_complete(tmp_path, capsys):
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "sim", "run", str(HEADLINE), "--reps", "6", "--jobs", "1", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".killed.partial-*/events.parquet/*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.kill()  # kill -9: nothing of the process runs after this
    proc.wait()
    assert list(tmp_path.glob(".killed.partial-*")), "the run should have been killed while writing"
    assert not out.exists()  # the results never moved into place
    assert main(["track", str(out), "1"]) == 2
    assert main(["plot", str(out)]) == 2
    with pytest.raises(ResultsError):
        load_results(out)
    capsys.readouterr()
    assert main(["run", str(HEADLINE), "--out", str(out), "--no-charts", "--variant", "door"]) == 0  # and a new run cleans up
    assert not list(tmp_path.glob(".killed.partial-*")) and (out / "meta.json").is_file()


def test_force_replaces_only_this_tools_files(small_yaml, tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(small_yaml), "--out", str(out), "--no-charts", "--variant", "door"]) == 0
    (out / "my_notes.txt").write_text("keep me")
    (out / "charts").mkdir(exist_ok=True)
    (out / "charts" / "my_sketch.svg").write_text("<svg/>")
    first = (out / "meta.json").read_text()
    assert main(["run", str(small_yaml), "--out", str(out), "--no-charts", "--variant", "locker", "--force"]) == 0
    assert (out / "my_notes.txt").read_text() == "keep me" and (out / "charts" / "my_sketch.svg").exists()
    assert (out / "meta.json").read_text() != first and '"locker"' in (out / "meta.json").read_text()


def test_sweep_force_keeps_the_users_files(tmp_path):
    out = tmp_path / "s"
    base = ["sweep", str(HEADLINE), "--variant", "locker", "--out", str(out), "--no-charts", "--jobs", "1"]
    assert main([*base, "--grid", "economics.locker_fee_yuan=0.5"]) == 0
    (out / "runs" / "my_notes.txt").write_text("keep me")
    assert main([*base, "--grid", "economics.locker_fee_yuan=0.6", "--force"]) == 0
    assert (out / "runs" / "my_notes.txt").read_text() == "keep me"
    assert len(list((out / "runs").glob("p*-r*.json"))) == 1


def test_default_folder_names_differ_within_one_second():
    assert default_out("s") != default_out("s")


def _started(cmd: list[str], partial_glob, tmp_path):
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(partial_glob)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return proc


def test_pool_workers_die_with_their_parent(tmp_path):
    psutil = pytest.importorskip("psutil")
    cmd = [sys.executable, "-m", "sim", "run", str(HEADLINE), "--reps", "8", "--jobs", "2", "--out", str(tmp_path / "o")]
    proc = _started(cmd, ".o.partial-*/events.parquet/*.parquet", tmp_path)
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers, "the run should have started its pool"
    proc.kill()  # kill -9 of the parent: no cleanup code of its own runs
    proc.wait()
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, f"workers still running after their parent died: {[p.pid for p in alive]}"


def test_sigterm_stops_a_run_cleanly(tmp_path):
    import signal

    cmd = [sys.executable, "-m", "sim", "run", str(HEADLINE), "--reps", "8", "--jobs", "1", "--out", str(tmp_path / "o")]
    proc = _started(cmd, ".o.partial-*/events.parquet/*.parquet", tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143 and b"terminated" in err and b"Traceback" not in err
    assert not (tmp_path / "o").exists() and not list(tmp_path.glob(".o.partial-*"))


def test_a_full_disk_is_a_message_and_leaves_no_folder(tmp_path):
    """RLIMIT_FSIZE stands in for a full disk: writes past 100 kB fail with EFBIG (Python ignores SIGXFSZ);
    the headline's largest parts are about 150 kB."""
    import resource

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    out = tmp_path / "full"
    done = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(HEADLINE), "--out", str(out), "--no-charts"],
        capture_output=True,
        text=True,
        preexec_fn=small_files,
        timeout=120,
    )
    assert done.returncode == 2 and "File too large" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists() and not list(tmp_path.glob(".full.partial-*"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere: permissions cannot make a folder read-only")
def test_a_read_only_parent_is_refused_before_the_simulation(tmp_path, capsys, monkeypatch):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        _no_simulation(monkeypatch)
        assert main(["run", str(HEADLINE), "--out", str(parent / "out"), "--no-charts"]) == 2
        assert "ermission" in capsys.readouterr().err
    finally:
        parent.chmod(0o755)


def test_a_sweep_into_a_folder_another_command_writes_fails_at_once(tmp_path, capsys):
    out = tmp_path / "s"
    with locked(out):
        args = ["sweep", str(HEADLINE), "--variant", "locker", "--grid", "economics.locker_fee_yuan=0.5", "--out", str(out)]
        assert main([*args, "--force", "--no-charts"]) == 2
    assert "is writing it" in capsys.readouterr().err and not (out / "sweep.csv").exists()


def test_a_file_written_whole_follows_the_umask_not_tempfiles_owner_only_mode(tmp_path):
    from sim.results.outdir import file_written_whole

    old = os.umask(0o022)
    try:
        with file_written_whole(tmp_path / "report.html", force=False) as part:
            part.write_text("<html></html>", encoding="utf-8")
    finally:
        os.umask(old)
    assert (tmp_path / "report.html").stat().st_mode & 0o777 == 0o644  # a colleague on the machine can read it
