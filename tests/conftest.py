"""Shared fixtures: a small scenario that runs in a fraction of a second."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # tests draw into files and memory, never windows

import matplotlib.pyplot as plt
import pytest

from sim.scenario import Scenario, scenario_from_dict

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
