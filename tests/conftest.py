"""Shared fixtures: a small scenario that runs in a fraction of a second."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # tests draw into files and memory, never windows

import matplotlib.pyplot as plt
import pytest

from sim.scenario.schema import Scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
HEADLINE = ROOT / "scenarios" / "door_vs_locker.yaml"

SMALL = {
    "name": "small",
    "seed": 7,
    "city": {"blocks_x": 4, "blocks_y": 4, "buildings_min": 2, "buildings_max": 4, "locker_slots": {"S": 8, "M": 4, "L": 2}},
    "parcels": {"per_day": 500, "day_to_day_cv": 0.0},
    "couriers": {"count": 4, "capacity_parcels": 60},
    "horizon": {"days": 2, "drain_days": 1},
}


def small_scenario(**sections) -> Scenario:
    """The small scenario with some sections replaced."""
    raw = {**SMALL, **sections}
    return scenario_from_dict(raw)


@pytest.fixture
def small() -> Scenario:
    return small_scenario()


@pytest.fixture(autouse=True)
def _close_figures():
    """Charts made by a test are closed after it, so figures do not pile up in memory."""
    yield
    plt.close("all")


@dataclass(frozen=True)
class AppServer:
    url: str
    process: Any  # subprocess.Popen

    def alive(self) -> bool:
        return self.process.poll() is None


@contextmanager
def app_server(port: int, scenario: Path | None = None) -> Iterator[AppServer]:
    """``parcelsim app`` in a child process that dies with this one, however this one ends (its
    parent-death signal), yielded once it says it is ready."""
    import subprocess
    import sys

    from sim.core.processes import die_with_parent
    from sim.presentation.app import READY

    cmd = [sys.executable, "-m", "sim", "app", "--no-browser", "--port", str(port)] + ([str(scenario)] if scenario else [])
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=die_with_parent)
    try:
        lines = []
        for line in server.stdout:  # the server's own signal: it accepts connections
            lines.append(line)
            if line.startswith(READY):
                break
        else:
            raise AssertionError(f"the app server ended before it was ready:\n{''.join(lines)}")
        yield AppServer(f"http://127.0.0.1:{port}/", server)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()


def pytest_configure(config) -> None:
    """The run is killed when whatever started it dies (``make test`` stopped with kill -TERM), so no
    test goes on starting servers for nobody; the servers and pools it started die with it, by their
    own parent-death signal, however it ends."""
    import signal

    from sim.core.processes import signal_when_parent_dies

    if threading.current_thread() is threading.main_thread():
        signal_when_parent_dies(signal.SIGKILL)
