"""The design search written out: the chosen design as a scenario, every design evaluated, the
ranking, the Pareto chart, and a page saying what was found (the report's design section)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..experiments.design import Comparison, Design, DesignResult
from ..scenario.design import COST_KPI, design_of
from . import plots

__all__ = ["DESIGN_FILES", "write_design"]

DESIGN_FILES = ("design.scenario.yaml", "design_candidates.csv", "design.json", "design.md")


def write_design(result: DesignResult, folder: Path) -> None:
    """Write the design files and ``charts/design_pareto.png`` into ``folder``."""
    spec = result.spec
    header = (
        f"# The pick-up network chosen by parcelsim design: {design_of(result.chosen.values)}\n"
        f"# {spec.objective}, subject to {', '.join(spec.constraints) or 'no constraint'}; see design.md.\n"
    )
    (folder / "design.scenario.yaml").write_text(header + result.scenario.to_yaml(), encoding="utf-8")
    candidates_table(result).to_csv(folder / "design_candidates.csv", index=False, float_format="%.6g")
    (folder / "design.json").write_text(json.dumps(result.as_dict(), indent=2, default=float) + "\n", encoding="utf-8")
    plots.save_charts({"design_pareto": plots.design_pareto(result)}, folder / "charts")
    (folder / "design.md").write_text(design_markdown(result), encoding="utf-8")


def candidates_table(result: DesignResult) -> pd.DataFrame:
    """One row per design evaluated (the search's, the own layout, the final runs)."""
    spec = result.spec
    named = [COST_KPI, *spec.kpis_named()]
    rows = []
    for d in [result.own, *result.searched, *result.final]:
        row = {"design": d.number, "source": d.source, "replications": len(d.objective), **d.values}
        row.update({k: d.kpis.get(k) for k in dict.fromkeys(named)})
        row["feasible"] = d.feasible
        row["violations"] = "; ".join(d.violations)
        rows.append(row)
    return pd.DataFrame(rows).drop_duplicates(subset=["design"], keep="last")


def design_markdown(result: DesignResult) -> str:
    """What the search found, in words and tables."""
    spec = result.spec
    chosen, kpi = result.chosen, spec.objective_kpi
    lines = [
        "# Pick-up network design 取件网络设计",
        "",
        f"Objective: **{spec.objective}**; constraints: {', '.join(f'`{c}`' for c in spec.constraints) or 'none'}; "
        f"variant `{spec.variant}`. {len(result.searched)} designs searched with {spec.replications} replications each "
        f"(common random numbers), the best {spec.finalists} and the scenario's own layout run again with "
        f"{spec.final_replications}. Costs are assumptions (A41) unless the design file sets them.",
        "",
        f"**Chosen:** {design_of(chosen.values)} — {kpi} {_mean(chosen, kpi)}"
        + ("." if kpi == COST_KPI else f", monthly cost {_mean(chosen, COST_KPI)} yuan."),
        "",
        _said(result.versus_runner_up, "the runner-up", spec.sense),
        _said(result.versus_own, "the scenario's own layout", spec.sense),
        "",
        "| design | source | "
        + " | ".join(spec.space)
        + f" | {COST_KPI} | "
        + " | ".join(spec.kpis_named())
        + " | meets the constraints |",
        "|" + "---|" * (3 + len(spec.space) + len(spec.kpis_named())) + "---|",
    ]
    for d in result.final:
        cells = [str(d.number), d.source, *(f"{d.values[k]}" for k in spec.space), _mean(d, COST_KPI)]
        cells += [_mean(d, k) for k in spec.kpis_named()]
        cells.append("yes" if d.feasible else "no: " + "; ".join(d.violations))
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "![designs](charts/design_pareto.png)",
        "",
        f"Every design evaluated: `design_candidates.csv`. Search time {result.wall_time_s:.0f} s.",
        "",
    ]
    return "\n".join(lines)


def _number(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def _mean(d: Design, kpi: str) -> str:
    mean, half = d.kpis.get(kpi, float("nan")), d.ci95.get(kpi, float("nan"))
    text = f"{mean:,.0f}" if abs(mean) >= 1000 else f"{mean:.4g}"
    if half == half and half > 0:
        return text + (f" ± {half:,.0f}" if abs(mean) >= 1000 else f" ± {half:.2g}")
    return text


def _said(c: Comparison | None, other: str, sense: str) -> str:
    if c is None:
        return f"Against {other}: the same design."
    direction = "lower" if c.mean < 0 else "higher"
    verdict = (
        "better, the 95% interval excluding 0"
        if c.better
        else "not significantly better (the 95% interval contains 0 or points the other way)"
    )
    return (
        f"Against {other} (design {c.b}): the objective is {_number(abs(c.mean))} {direction} "
        f"(paired 95% CI ±{_number(c.ci95)}): {verdict}."
    )
