"""Field studies replayed: the model against published measurements, with one set of parameters.

Each study is a scenario under ``scenarios/field/`` that sets up what the study describes (the
buildings, floors, lifts, deliveries, hours, lockers) and nothing else: every replay runs with the
project's default behaviour parameters, the same for all. The model's figure, with its 95%
interval over replications, is set beside the published one. A figure that set a parameter
(``calibration``) is listed but is no evidence; the others are held out.

``field_report()`` writes ``docs/background/field_validation.md``; ``parcelsim field`` runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.stats import mean_ci
from ..core.units import SECONDS_PER_DAY, SECONDS_PER_HOUR
from ..model.partials import Window
from ..model.tracking import Detail, Status
from ..results.runset import RunSet
from ..scenario.load import load_scenario
from .capacity import capacity
from .runner import run

__all__ = ["FIELD_DIR", "FIELD_STUDIES", "TOLERANCE", "FieldResult", "FieldStudy", "field_report", "replay", "studies_within"]

FIELD_DIR = Path(__file__).resolve().parents[2] / "scenarios" / "field"
# A published figure is a point or a range measured on one site; "within" allows the model ±10% of
# it (relative), the same for every study, chosen before any replay was run.
TOLERANCE = 0.10

Measure = Callable[[Path, int, int], np.ndarray]  # (scenario file, replications, jobs) -> a value per replication


@dataclass(frozen=True)
class FieldStudy:
    """One published measurement and the replay that reproduces its setting."""

    key: str  # also the scenario's file name under scenarios/field/
    study: str  # who measured it, where it is published (sources §N)
    figure: str  # what is compared, in words
    published: tuple[float, float]  # low, high (the same for a single figure)
    published_text: str  # as the study states it
    percent: bool  # shown as a percentage (else as a number)
    measure: Measure
    differences: str  # what the replay cannot reproduce of the setting, said before the result
    calibration: str = ""  # the assumption this figure helped set: then it is no evidence

    @property
    def band(self) -> tuple[float, float]:
        """The published range widened by ``TOLERANCE``: where the model counts as within."""
        low, high = self.published
        return low * (1 - TOLERANCE), high * (1 + TOLERANCE)


@dataclass(frozen=True)
class FieldResult:
    study: FieldStudy
    values: np.ndarray  # the model's figure, one per replication

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def ci95(self) -> float:
        return float(mean_ci(self.values)[1])

    @property
    def within(self) -> bool:
        low, high = self.study.band
        return bool(low <= self.mean <= high)


def replay(study: FieldStudy, replications: int = 10, jobs: int = 1) -> FieldResult:
    """Run one study's replay and measure its figure."""
    values = study.measure(FIELD_DIR / f"{study.key}.yaml", replications, jobs)
    return FieldResult(study, np.asarray(values, dtype=np.float64))


# --- what is measured ---------------------------------------------------------------------------
def _per_replication(runs: pd.DataFrame, variant: str, kpi: str) -> np.ndarray:
    return runs[runs["variant"] == variant].sort_values("replication")[kpi].to_numpy(np.float64)


def _saving(kpi: str) -> Measure:
    """1 - locker / door of a KPI, paired replication by replication."""

    def measure(path: Path, replications: int, jobs: int) -> np.ndarray:
        runs = run(path, replications=replications, jobs=jobs, keep_results=False).runs()
        return 1 - _per_replication(runs, "locker", kpi) / _per_replication(runs, "door", kpi)

    return measure


def _kpi(kpi: str, variant: str, transform: Callable[[np.ndarray], np.ndarray] = lambda x: x) -> Measure:
    def measure(path: Path, replications: int, jobs: int) -> np.ndarray:
        runs = run(path, replications=replications, jobs=jobs, keep_results=False).runs()
        return transform(_per_replication(runs, variant, kpi))

    return measure


def _from_runs(of_run: Callable[[RunSet, int], float], variant: str) -> Measure:
    """A figure computed from each replication's tracking log and activity tables."""

    def measure(path: Path, replications: int, jobs: int) -> np.ndarray:
        runs = run(path, replications=replications, jobs=jobs, variants=[variant])
        return np.array([of_run(runs, rep) for rep in range(replications)])

    return measure


def _round_trip_saving(path: Path, replications: int, jobs: int) -> np.ndarray:
    """1 - locker / door of the mean time from leaving the vehicle to getting back to it, over the
    stops where a parcel was left or tried, paired replication by replication."""
    runs = run(path, replications=replications, jobs=jobs, variants=["door", "locker"])

    def minutes(variant: str, rep: int) -> float:
        stops = runs.result(variant, rep).activity.stops
        tried = np.asarray(stops.attempts) > 0
        return float(np.mean((stops.depart_s - stops.arrive_s)[tried]))

    return np.array([1 - minutes("locker", rep) / minutes("door", rep) for rep in range(replications)])


def _on_foot_time_share(runs: RunSet, rep: int) -> float:
    """Time at stops (parked: walking, stairs and lifts, doors) over the time out on rounds."""
    activity = runs.result(runs.variants[0], rep).activity
    stops, tours = activity.stops, activity.tours
    return float(np.sum(stops.depart_s - stops.arrive_s) / np.sum(tours.return_s - tours.depart_s))


def _on_foot_distance_share(runs: RunSet, rep: int) -> float:
    """Metres walked (walking time at the walking speed; stairs not counted) over metres walked and ridden."""
    activity = runs.result(runs.variants[0], rep).activity
    walked = float(np.sum(activity.stops.walk_s)) * runs.scenario.door.walk_speed_mps
    return walked / (walked + float(np.sum(activity.tours.ride_m)))


def _km_walked_per_courier_day(path: Path, replications: int, jobs: int) -> np.ndarray:
    """Kilometres walked a courier-day on the measured days: the KPI ``stop_hours_per_courier_day``
    times the share of those stops' time spent walking (stairs not counted), at the walking speed."""
    runs = run(path, replications=replications, jobs=jobs, variants=["door"])
    stop_h = _per_replication(runs.runs(), "door", "stop_hours_per_courier_day")
    first, last = Window.of(runs.scenario).measured_s
    walking = []
    for rep in range(replications):
        stops = runs.result("door", rep).activity.stops
        measured = (stops.arrive_s >= first) & (stops.arrive_s < last)
        walking.append(np.sum(stops.walk_s[measured]) / np.sum((stops.depart_s - stops.arrive_s)[measured]))
    return np.asarray(walking) * stop_h * SECONDS_PER_HOUR * runs.scenario.door.walk_speed_mps / 1000


def _locker_collections_off_business_hours(runs: RunSet, rep: int) -> float:
    """Locker collections outside Monday-Friday 09:00-17:00 over all locker collections."""
    events = runs.result(runs.variants[0], rep).events
    picked = (events.status == Status.PICKED_UP) & (events.detail == Detail.FROM_LOCKER)
    t = events.time_s[picked]
    weekday = (t // SECONDS_PER_DAY + runs.scenario.horizon.start_weekday) % 7
    hour = (t % SECONDS_PER_DAY) / SECONDS_PER_HOUR
    business = (weekday < 5) & (hour >= 9) & (hour < 17)
    return float(1 - business.mean())


def _capacity(variant: str, kpi: str = "parcels_per_courier_day") -> Measure:
    """A KPI of a saturated day (``parcelsim capacity``)."""

    def measure(path: Path, replications: int, jobs: int) -> np.ndarray:
        runs = capacity(load_scenario(path), variants=[variant], replications=replications, jobs=jobs).runs
        return runs[kpi].to_numpy(np.float64)

    return measure


def _left_at_points(path: Path, replications: int, jobs: int) -> np.ndarray:
    runs = run(path, replications=replications, jobs=jobs, variants=["locker"], keep_results=False).runs()
    return _per_replication(runs, "locker", "locker_delivered_share") + _per_replication(
        runs, "locker", "pickup_station_delivered_share"
    )


_CHERRETT_SEMINAR = "Cherrett, University of Southampton, seminar at SUTD on the London carrier's data (sources §3)"

FIELD_STUDIES: tuple[FieldStudy, ...] = (
    FieldStudy(
        key="seattle_residential",
        study="Ranjbari, Diehl, Dalla Chiara & Goodchild 2023, Transportation Research Part E 172 (sources §3)",
        figure="time inside a residential high-rise per delivery saved by a lobby locker",
        published=(0.50, 0.60),
        published_text="50-60% (difference in differences against a building without a locker)",
        percent=True,
        measure=_saving("in_building_minutes_per_stop"),
        differences="Chinese couriers call ahead and hand over in person (90 s median); US carriers mostly leave "
        "the parcel at the flat's door, so the door takes less time there and a locker saves less. And before the "
        "locker the building's management took in parcels and carried them up (the locker cut that work by 90%), "
        "so many couriers' 'before' was a drop at the desk, not the flat's door that the replay's door variant "
        "visits; the share is not published. Leaving at the door was tried once as a what-if (handover 10 s, no "
        "call ahead: a 65% saving) and not kept: choosing those values after seeing the result would be tuning.",
    ),
    FieldStudy(
        key="seattle_tower",
        study="Urban Freight Lab 2018, the Seattle Municipal Tower common-carrier locker pilot (sources §3)",
        figure="total delivery time in a 62-floor office tower (leaving the truck to getting back), saved by a lobby locker",
        published=(0.78, 0.78),
        published_text="78% less total delivery time than going floor to floor, door to door",
        percent=True,
        measure=_round_trip_saving,
        differences="The tower's tenants are offices open on working days; the pilot was open to the first 100 "
        "tenants who signed up, and medium items went to drop-off points grouping 4-6 floors when the locker "
        "was too small or full; the replay sends every parcel of the locker variant to the locker, and what "
        "does not fit to the door. Until this round the replay measured time inside the building only "
        "(in_building_minutes_per_stop: an 85-86% saving, a miss); the pilot's summaries define the 78% on "
        "total (round-trip) delivery time, so the measure now includes the walk from the truck. The change was "
        "made after seeing the earlier miss and moves the figure across the band's edge by about 2 points: "
        "weak evidence.",
    ),
    FieldStudy(
        key="seattle_tower",
        study="Urban Freight Lab 2018, the Seattle Municipal Tower common-carrier locker pilot (sources §3)",
        figure="first deliveries into the tower's lobby locker that succeed",
        published=(1.0, 1.0),
        published_text="all: no failed first delivery to the locker (seven failed door to door before it)",
        percent=True,
        measure=_kpi("first_attempt_success_share", "locker"),
        differences="The pilot's report counts failures (seven door to door, none at the locker), not the parcels "
        "delivered, so only the locker's side is a rate to compare; the replay's door side fails 4-5% (offices "
        "empty at times in the day). With ±10% allowed, a figure of 100% is weak evidence: a locker that failed "
        "one parcel in twelve would still count as within.",
    ),
    FieldStudy(
        key="london_rounds",
        study="Allen et al. 2018, Transportation Research Part D 61 (sources §3)",
        figure="share of a round's time spent on foot (parked: walking, stairs, doors)",
        published=(0.62, 0.62),
        published_text="walking can account for 62% of the round time",
        percent=True,
        measure=_from_runs(_on_foot_time_share, "door"),
        differences="London rounds start from depots outside the centre (a long drive in and out); the replay's "
        "station stands at the district's edge, a few hundred metres away.",
    ),
    FieldStudy(
        key="london_rounds",
        study="Allen et al. 2018, Transportation Research Part D 61 (sources §3)",
        figure="share of a round's distance walked",
        published=(0.40, 0.40),
        published_text="walking can account for 40% of the round distance",
        percent=True,
        measure=_from_runs(_on_foot_distance_share, "door"),
        differences="As above: without the drive from a depot outside the centre the ridden distance is "
        "shorter, so the walked share comes out higher.",
    ),
    FieldStudy(
        key="london_rounds",
        study="Allen et al. 2018, Transportation Research Record 2672(9) (sources §3)",
        figure="share of a round's time the van stands parked at the kerb",
        published=(0.60, 0.60),
        published_text="parked at the kerbside on average 60% of the total vehicle round time",
        percent=True,
        measure=_from_runs(_on_foot_time_share, "door"),
        differences="The same measure as the 62% above, published for a carrier's operational data sets by the "
        "same team; the same differences apply.",
    ),
    FieldStudy(
        key="london_rounds",
        study=_CHERRETT_SEMINAR,
        figure="hours a driver spends on foot a day while the van is parked",
        published=(4.6, 4.6),
        published_text="4.6 hours a day sorting, unloading and delivering on foot",
        percent=False,
        measure=_kpi("stop_hours_per_courier_day", "door"),
        differences="The replay's driver has 100 parcels a day (ASSUMED: the number a London driver carries is not "
        "in the summaries) and an e-tricycle's loads, several rounds a day, rather than one van load; the hours on "
        "foot scale with the parcels.",
    ),
    FieldStudy(
        key="london_rounds",
        study=_CHERRETT_SEMINAR,
        figure="kilometres a driver walks a day",
        published=(7.9, 7.9),
        published_text="7.9 km a day on average (5.8 km on the example round)",
        percent=False,
        measure=_km_walked_per_courier_day,
        differences="The replay's buildings stand 20-120 m from where the courier parks, a few buildings to a "
        "parking place (ASSUMED, the project's compound at a gate); a London driver parks once for a street of "
        "many addresses and walks along it, so walks further for the same parcels.",
    ),
    FieldStudy(
        key="japan_redelivery",
        study="Japan's Ministry of Land, Infrastructure, Transport and Tourism (MLIT), redelivery survey of "
        "April 2025 (sources §3)",
        figure="first door attempts that fail (redelivery rate), urban area",
        published=(0.084, 0.093),
        published_text="8.4% overall, 9.3% in urban areas",
        percent=True,
        measure=_kpi("door_first_attempt_success_share", "door", lambda x: 1 - x),
        differences="Japanese recipients book delivery time slots and many homes have delivery boxes; the replay "
        "has neither (households keep the project's Chinese daily rhythms). Where lockers and 驿站 exist (the headline) "
        "they take the parcels of recipients who are out and the door fails less; here a recipient who is out "
        "and asks for a locker gets a redelivery.",
        calibration="A8: the household profiles were set so that 8-20% of first door attempts fail, a band that "
        "takes in this survey's earlier years",
    ),
    FieldStudy(
        key="australia_post_lockers",
        study="Leung, Lachapelle & Burke 2023, Journal of Transport Geography 110: Queensland (sources §3)",
        figure="locker collections outside business hours (Monday-Friday 09:00-17:00)",
        published=(0.40, 0.40),
        published_text="40% of collections outside business hours",
        percent=True,
        measure=_from_runs(_locker_collections_off_business_hours, "locker"),
        differences="The study covers Australia Post's 51 lockers in Queensland, 2013-2017, most at post "
        "offices, shopping centres and commercial streets reached by car; the replay puts a bank by every "
        "compound and keeps the project's Chinese household types (commuters, someone home all day, elderly, "
        "shift workers) and their pick-up hours. The study's summary calls the 40% 'most collections', which "
        "reads as the largest of several groups (weekday business hours, weekday evenings, weekends); the replay "
        "counts weekends as outside business hours, and the band of A9 counts the hours of the day only.",
        calibration="A9: the pick-up profiles were set so that 40-58% of locker pick-ups fall outside "
        "09:00-17:00, a band that takes in this figure",
    ),
    FieldStudy(
        key="beijing_couriers",
        study="Beijing Municipal Postal Administration via CRI, 2019-03-13 (sources §2)",
        figure="parcels a courier delivers in a working day, buyers choosing door delivery (≈10%)",
        published=(150.0, 300.0),
        published_text="150-300 a day (efficient ≈200)",
        percent=False,
        measure=_capacity("locker"),
        differences="Measured as capacity (more work than the day allows): on real days the parcels in a "
        "courier's area, not the hours, often set the number, so couriers may deliver less than their hours allow.",
        calibration="A7: door times were set so that a door-only day lands in this band (the replay measures the "
        "buyers'-choice mode, whose locker and 驿站 times were not set to it)",
    ),
    FieldStudy(
        key="beijing_couriers",
        study="Survey of 5,279 couriers via ecns, 2019-03-04 (sources §2)",
        figure="hours a courier is on duty in a full working day",
        published=(10.0, 12.0),
        published_text="10-12 h for about half of couriers (31% 8-10 h, 21% more than 12 h)",
        percent=False,
        measure=_capacity("locker", "hours_per_courier_day"),
        differences="On a saturated day the hours on duty are the default shift's (07:00-19:00) less the break, so "
        "this figure reads the shift back: it checks only that nothing ends the day early.",
        calibration="A6/A23: the default 07:00-19:00 shift was set from this survey",
    ),
    FieldStudy(
        key="shanghai_2018",
        study="Shanghai Consumer Council via Global Times, 2018-03-06 (sources §8)",
        figure="parcels signed for at collection points and lockers",
        published=(0.50, 0.67),
        published_text="more than half (property staff 13%, someone else ≈20%: at most ≈67%)",
        percent=True,
        measure=_left_at_points,
        differences="By default an ordinary parcel goes to a locker or a 驿站 wherever its compound has one; "
        "in 2018 Shanghai couriers still took many ordinary parcels to the door or the property office.",
    ),
)


def field_report(replications: int = 10, jobs: int = 1, chart: str = "field_validation.png") -> tuple[str, list[FieldResult]]:
    """Replay every study; the page (Markdown, linking ``chart``) and the results it rests on."""
    results = [replay(study, replications, jobs) for study in FIELD_STUDIES]
    return _page(results, replications, chart), results


def _fmt(study: FieldStudy, x: float) -> str:
    if study.percent:
        return f"{x:.0%}" if x >= 0.1 else f"{x:.1%}"
    return f"{x:.1f}" if abs(x) < 20 else f"{x:.0f}"


def studies_within(results: list[FieldResult]) -> tuple[int, int]:
    """Studies (replays) whose every figure lies within, and how many studies there are."""
    by_study: dict[str, bool] = {}
    for r in results:
        by_study[r.study.key] = by_study.get(r.study.key, True) and r.within
    return sum(by_study.values()), len(by_study)


def _page(results: list[FieldResult], replications: int, chart: str) -> str:
    held_out = [r for r in results if not r.study.calibration]
    whole, studies = studies_within(results)
    lines = [
        "# Field studies replayed",
        "",
        "<!-- Generated by `parcelsim field` (sim/experiments/field.py); do not edit by hand. -->",
        "",
        "Each study is a scenario under `scenarios/field/` that sets up what the study describes and",
        "nothing tuned to it: every replay runs with the project's default behaviour parameters, one set",
        f"for all. The model's figure is the mean of {replications} replications with its 95% interval;",
        f"it counts as *within* when it lies in the published range widened by ±{TOLERANCE:.0%} (relative),",
        "a tolerance chosen before any replay was run. A figure that helped set a parameter",
        "(calibration) is shown but is no evidence; the others are held out.",
        "",
        f"**Held out: {sum(r.within for r in held_out)} of {len(held_out)} within.** "
        f"Calibration figures: {sum(r.within for r in results if r.study.calibration)} of "
        f"{len(results) - len(held_out)} within. Studies with every figure within: "
        f"{whole} of {studies}. Every miss is explained under the table.",
        "",
        f"![model against field]({chart})",
        "",
        "| study | figure | published | model (95% CI) | within | role |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        s = r.study
        role = "calibration" if s.calibration else "held out"
        lines.append(
            f"| {s.study} | {s.figure} | {s.published_text} | {_fmt(s, r.mean)} ± {_fmt(s, r.ci95)} | "
            f"{'yes' if r.within else '**no**'} | {role} |"
        )
    lines += ["", "## Settings, differences and misses", ""]
    for r in results:
        s = r.study
        verdict = "within the published range" if r.within else "**a miss**"
        lines += [
            f"**{s.figure}** (`scenarios/field/{s.key}.yaml`): the model gives {_fmt(s, r.mean)} against "
            f"{s.published_text}: {verdict}. What the replay cannot reproduce: {s.differences}"
            + (f" Calibration: {s.calibration}." if s.calibration else ""),
            "",
        ]
    return "\n".join(lines)
