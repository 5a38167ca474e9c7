"""Parameter sweeps: a grid (or a table) of scenario overrides × variants × replications.

Every run is written to ``<out>/runs/`` as soon as it finishes, by an atomic rename, so a sweep
that is killed can be started again and skips what is done; a half-written file never counts.
The tidy table ``sweep.csv`` has one row per run with every varied parameter, the variant, the
replication and the seed, and is assembled in a fixed order, so an interrupted-and-resumed sweep
gives the same table as one that ran straight through.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..core.errors import ResultsError, ScenarioError
from ..core.executors import make_executor, run_all
from ..core.stats import mean_ci
from ..scenario.load import ScenarioLoader
from ..scenario.schema import Scenario
from .runner import Job, check_variants, prepare_scenario, run_job

__all__ = ["MAX_GRID_POINTS", "MAX_GRID_VALUES", "SweepResult", "grid_points", "parse_grid", "read_table", "sweep"]

MAX_GRID_VALUES = 10_000  # values of one swept field; a range beyond this is a typo, not a plan
MAX_GRID_POINTS = 100_000  # points of a whole grid (the product of its fields' values)


def parse_grid(text: str) -> tuple[str, list[Any]]:
    """``path=v1,v2,...`` or ``path=start:stop:step`` (stop included) into (path, values)."""
    if "=" not in text:
        raise ScenarioError(f"{text!r}: expected path=v1,v2,... or path=start:stop:step", param="grid")
    path, _, spec = text.partition("=")
    path, spec = path.strip(), spec.strip()
    if not path or not spec:
        raise ScenarioError(f"{text!r}: expected path=v1,v2,... or path=start:stop:step", param="grid")
    if ":" in spec and "," not in spec:
        start, stop, step = _range(text, spec)
        count = math.floor((stop - start) / step + 1e-9) + 1
        if count > MAX_GRID_VALUES:
            raise ScenarioError(f"{text!r}: {count:,} values; at most {MAX_GRID_VALUES:,} per field", param="grid")
        return path, [round(start + i * step, 10) for i in range(count)]
    return path, [_value(v) for v in spec.split(",")]


def _value(text: str) -> Any:
    """A grid or table cell read as YAML (numbers, true/false, lists), else kept as the text."""
    try:
        return yaml.load(text, Loader=ScenarioLoader)
    except yaml.YAMLError:
        return text


def _range(text: str, spec: str) -> tuple[float, float, float]:
    """start:stop:step as three finite numbers with step > 0 and stop >= start."""
    problem = f"{text!r}: a range is start:stop:step of finite numbers with step > 0 and stop >= start"
    try:
        start, stop, step = (float(p) for p in spec.split(":"))
    except ValueError:
        raise ScenarioError(problem, param="grid") from None
    if not all(math.isfinite(x) for x in (start, stop, step)) or step <= 0 or stop < start:
        raise ScenarioError(problem, param="grid")
    return start, stop, step


def read_table(path: Path) -> list[dict[str, Any]]:
    """An explicit list of runs: a CSV whose header names scenario fields and whose rows give values."""
    if not path.is_file():
        raise ScenarioError(f"{path}: no such file", param="table")
    rows = []
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            for line, row in enumerate(reader, start=2):
                if None in row or None in row.values():  # more or fewer cells than the header names
                    cells = sum(v is not None for k, v in row.items() if k is not None) + len(row.get(None) or [])
                    raise ScenarioError(
                        f"{path}: row {line} has {cells} cells where the header names {len(reader.fieldnames or [])}",
                        param="table",
                    )
                rows.append({k.strip(): _value(v) for k, v in row.items()})
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a UTF-8 text file (save it as UTF-8 CSV)", param="table") from None
    if not rows:
        raise ScenarioError(f"{path}: no rows", param="table")
    return rows


@dataclass
class SweepResult:
    """The runs of a sweep as a tidy table, with helpers to summarise and plot it."""

    parameters: list[str]
    table: pd.DataFrame
    out: Path | None = None
    skipped: int = 0
    ran: int = 0
    wall_time_s: float = 0.0
    charts: list[Path] = field(default_factory=list)

    def runs(self) -> pd.DataFrame:
        """One row per run: parameters, variant, replication, seed, KPIs."""
        return self.table

    def kpis(self) -> pd.DataFrame:
        """Mean and 95% half-width of every KPI per (parameters, variant)."""
        keys = [*self.parameters, "variant"]
        kpis = [c for c in self.table.columns if c not in (*keys, "replication", "seed", "door_service_share", "point")]
        rows = []
        for key, g in self.table.groupby(keys, sort=False):
            row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
            for k in kpis:
                row[k], row[f"{k}_ci95"], row["n"] = mean_ci(g[k].to_numpy(float))
            rows.append(row)
        return pd.DataFrame(rows)


def sweep(
    scenario: Scenario | str | Path,
    points: list[dict[str, Any]],
    *,
    replications: int = 1,
    variants: list[str] | None = None,
    seed: int | None = None,
    out: Path | None = None,
    force: bool = False,
    jobs: int = 1,
    scheduler: str | None = None,
) -> SweepResult:
    """Run every point (a mapping of scenario field paths to values) × variant × replication."""
    base = prepare_scenario(scenario, seed, None)
    if not points:
        raise ScenarioError("a sweep needs at least one point", param="points")
    parameters = list(dict.fromkeys(k for p in points for k in p))
    scenarios = [base.with_overrides(point, where="sweep point") for point in points]
    chosen = check_variants(base, variants)
    keys = [(i, v, r) for i in range(len(points)) for r in range(replications) for v in chosen]
    spec = {"scenario": base.model_dump(mode="json"), "points": points, "variants": chosen, "replications": replications}

    done: dict[tuple[int, str, int], dict[str, Any]] = {}
    if out is not None:
        done = _open_out(Path(out), spec, force)
    todo = [k for k in keys if k not in done]
    started = time.perf_counter()

    def save(i: int, result: tuple[dict[str, Any], Any]) -> None:
        key = todo[i]
        row = {"point": key[0], **_flat(points[key[0]]), **result[0]}
        done[key] = row
        if out is not None:
            _write_atomic(_run_file(Path(out), key), json.dumps(row, allow_nan=True))

    jobs_list = [Job(scenarios[i], v, r, keep_result=False) for i, v, r in todo]
    with make_executor(jobs, scheduler) as executor:
        run_all(executor, run_job, jobs_list, label="sweep runs", on_result=save)
    table = pd.DataFrame([done[k] for k in keys])
    result = SweepResult(parameters, table, Path(out) if out else None, len(keys) - len(todo), len(todo))
    result.wall_time_s = time.perf_counter() - started
    if out is not None:
        table.to_csv(Path(out) / "sweep.csv", index=False, float_format="%.10g")
        _write_atomic(Path(out) / "meta.json", json.dumps(_meta(base, result, len(keys)), indent=2) + "\n")
    return result


def _meta(base: Scenario, result: SweepResult, runs: int) -> dict[str, Any]:
    """What makes a sweep folder self-describing, beside sweep.json (the specification)."""
    import datetime as dt
    import platform

    from ..core.version import git_revision, package_version

    return {
        "scenario": base.name,
        "seed": base.seed,
        "parameters": result.parameters,
        "runs": runs,
        "ran_this_time": result.ran,
        "skipped_finished": result.skipped,
        "package_version": package_version(),
        "git_revision": git_revision(),
        "wall_time_s": round(result.wall_time_s, 3),
        "python": platform.python_version(),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def grid_points(grids: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
    """The cartesian product of the grids, first grid varying slowest."""
    paths = [p for p, _ in grids]
    if len(set(paths)) != len(paths):
        raise ScenarioError("each field may be swept only once", param="grid")
    points = math.prod(len(v) for _, v in grids)
    if points > MAX_GRID_POINTS:
        raise ScenarioError(
            f"{points:,} points; at most {MAX_GRID_POINTS:,} in one sweep (sweep fewer values, or split it)", param="grid"
        )
    return [dict(zip(paths, combo, strict=True)) for combo in itertools.product(*(v for _, v in grids))]


def _flat(point: dict[str, Any]) -> dict[str, Any]:
    return {k: (json.dumps(v) if isinstance(v, (list, dict)) else v) for k, v in point.items()}


def _run_file(out: Path, key: tuple[int, str, int]) -> Path:
    return out / "runs" / f"p{key[0]:05d}-{key[1]}-r{key[2]:04d}.json"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)  # atomic: a reader sees the old state or the whole file, never a part


def _open_out(out: Path, spec: dict[str, Any], force: bool) -> dict[tuple[int, str, int], dict[str, Any]]:
    """Prepare ``out``; return the finished runs of the same sweep found there."""
    spec_file = out / "sweep.json"
    spec_text = json.dumps(spec, sort_keys=True, default=str)
    if out.exists() and any(out.iterdir()):
        same = spec_file.exists() and spec_file.read_text(encoding="utf-8") == spec_text
        if not same:
            if not force:
                raise ResultsError(
                    f"{out} holds other results (not this sweep); choose another folder or pass force=True", param="out"
                )
            for run_file in (out / "runs").glob("p*-r*.json"):  # only the sweep's own files: the rest is the user's
                run_file.unlink()
            for name in ("sweep.json", "sweep.csv", "meta.json"):
                (out / name).unlink(missing_ok=True)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    _write_atomic(spec_file, spec_text)
    done = {}
    for path in sorted((out / "runs").glob("p*-r*.json")):
        try:
            row = json.loads(path.read_text(encoding="utf-8"))
            done[(int(row["point"]), str(row["variant"]), int(row["replication"]))] = row
        except (ValueError, KeyError, OSError):
            path.unlink(missing_ok=True)  # unreadable: run it again
    for tmp in (out / "runs").glob("*.tmp"):
        tmp.unlink()
    return done
