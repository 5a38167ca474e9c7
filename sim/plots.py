"""Comparison charts, one chart per function, each returning a matplotlib Figure.

The functions take plain DataFrames (as a results folder holds them), so they work the same on a
fresh ``RunSet`` and on a bundle read back from disk.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files, not windows: the CLI and CI have no display

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = [
    "backlog_over_time",
    "courier_time_breakdown",
    "dispatch_shares",
    "dispatch_time_ecdf",
    "kpi_vs_parameter",
    "lead_time_ecdf",
    "locker_occupancy",
    "paired_differences",
    "save_charts",
    "variant_comparison",
]

_COMPARED = (
    ("parcels_per_courier_day", "Parcels delivered per courier-day", "parcels"),
    ("courier_hours_per_day", "Hours worked per courier-day", "hours"),
    ("income_per_courier_day_yuan", "Net income per courier-day", "yuan"),
    ("income_per_courier_hour_yuan", "Net income per courier-hour", "yuan / hour"),
)
_TIME_PARTS = (
    ("station", "at the station (load, shelve)", "#8c8c8c"),
    ("ride", "riding", "#4c72b0"),
    ("park", "parking", "#64b5cd"),
    ("walk", "walking", "#55a868"),
    ("vertical", "stairs / elevator ride", "#c44e52"),
    ("wait", "waiting (elevator, calls)", "#dd8452"),
    ("handover", "handover / locker drop", "#8172b2"),
)


def _colors(n: int) -> list:
    return [plt.get_cmap("tab10")(i % 10) for i in range(n)]


def variant_comparison(kpis: pd.DataFrame, ci: pd.DataFrame | None = None) -> Figure:
    """Door vs locker (and other variants) side by side: throughput, hours, income per day and per hour.

    ``kpis`` has one row per variant (index) and a column per KPI; ``ci`` optionally the 95% half-widths.
    """
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), layout="constrained")
    variants = list(kpis.index)
    colors = _colors(len(variants))
    for ax, (key, title, unit) in zip(axes.flat, _COMPARED, strict=True):
        values = kpis[key].to_numpy(dtype=float)
        err = ci[key].to_numpy(dtype=float) if ci is not None and key in ci else None
        bars = ax.bar(variants, values, color=colors, yerr=err, capsize=4 if err is not None else 0)
        ax.bar_label(bars, fmt="%.1f", padding=2)
        ax.set_title(title)
        ax.set_ylabel(unit)
        ax.margins(y=0.15)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle("Delivery modes compared, per courier (measured days)", fontsize=13)
    return fig


def courier_time_breakdown(tours: pd.DataFrame, stops: pd.DataFrame, couriers_days: int) -> Figure:
    """Where a courier's working hours go, by variant: riding, walking, stairs, waiting, handing over."""
    parts = _time_parts(tours, stops, couriers_days)
    fig, ax = plt.subplots(figsize=(10, 5.5), layout="constrained")
    left = np.zeros(len(parts))
    for key, label, color in _TIME_PARTS:
        ax.barh(parts.index, parts[key], left=left, label=label, color=color)
        left += parts[key].to_numpy()
    for y, total in enumerate(left):
        ax.text(total, y, f" {total:.1f} h", va="center")
    ax.set_xlabel("hours per courier-day")
    ax.set_title("Where a courier's working day goes")
    ax.invert_yaxis()
    ax.margins(x=0.12)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def _time_parts(tours: pd.DataFrame, stops: pd.DataFrame, courier_days: int) -> pd.DataFrame:
    rows = {}
    for variant, t in tours.groupby("variant", sort=False):
        s = stops[stops["variant"] == variant]
        total = (t["end_s"] - t["start_s"]).sum()
        station = ((t["depart_s"] - t["start_s"]) + (t["end_s"] - t["return_s"])).sum()
        at_stops = {k: s[f"{k}_s"].sum() for k in ("park", "walk", "vertical", "wait", "handover")}
        ride = total - station - sum(at_stops.values())
        rows[variant] = {"station": station, "ride": ride, **at_stops}
    return pd.DataFrame(rows).T / 3600.0 / courier_days


def lead_time_ecdf(lead_times_h: dict[str, np.ndarray]) -> Figure:
    """Share of parcels in the recipient's hands within x hours of reaching the station, by variant."""
    fig, ax = plt.subplots(figsize=(9, 5.5), layout="constrained")
    for (variant, values), color in zip(lead_times_h.items(), _colors(len(lead_times_h)), strict=True):
        v = np.sort(np.asarray(values, dtype=float))
        if len(v):
            ax.step(
                v, np.arange(1, len(v) + 1) / len(v), where="post", label=f"{variant} (median {np.median(v):.1f} h)", color=color
            )
    ax.set_xlabel("hours from station arrival to the recipient's hands")
    ax.set_ylabel("share of parcels")
    ax.set_ylim(0, 1.02)
    ax.set_title("Lead time: station → recipient")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def locker_occupancy(occupancy: dict[str, tuple[np.ndarray, np.ndarray]], slots: int) -> Figure:
    """Share of locker slots occupied over time, by variant (``{variant: (times_s, occupied)}``)."""
    fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    for (variant, (t, occ)), color in zip(occupancy.items(), _colors(len(occupancy)), strict=True):
        ax.step(np.asarray(t) / 3600.0, np.asarray(occ) / max(slots, 1), where="post", label=variant, color=color)
    ax.set_xlabel("hours since day 0, 00:00")
    ax.set_ylabel("share of all locker slots occupied")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"Locker occupancy ({slots} slots in the district)")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def backlog_over_time(series: dict[str, tuple[np.ndarray, np.ndarray]], bursts: list[tuple[float, float]]) -> Figure:
    """Orders in the warehouse (placed, not yet packed) over time, by variant; bursts shaded."""
    fig, ax = plt.subplots(figsize=(10, 5.5), layout="constrained")
    for (variant, (t, v)), color in zip(series.items(), _colors(len(series)), strict=True):
        ax.step(np.asarray(t) / 3600.0, v, where="post", label=variant, color=color)
    for i, (start_h, minutes) in enumerate(bursts):
        ax.axvspan(start_h, start_h + minutes / 60.0, color="red", alpha=0.25, label="flash-sale burst" if i == 0 else None)
    ax.set_xlabel("hours since day 0, 00:00")
    ax.set_ylabel("orders placed, not yet packed")
    ax.set_title("Warehouse backlog over time")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def dispatch_time_ecdf(dispatch_h: dict[str, np.ndarray]) -> Figure:
    """Share of orders dispatched within x hours, by variant; 24 h and 48 h marked."""
    fig, ax = plt.subplots(figsize=(9, 5.5), layout="constrained")
    for (variant, values), color in zip(dispatch_h.items(), _colors(len(dispatch_h)), strict=True):
        v = np.sort(np.asarray(values, dtype=float))
        finite = v[np.isfinite(v)]
        if len(v) and len(finite):
            ax.step(finite, np.arange(1, len(finite) + 1) / len(v), where="post", label=variant, color=color)
    for h in (24, 48):
        ax.axvline(h, color="grey", linestyle="--", linewidth=1)
        ax.text(h, 0.02, f" {h} h", color="grey")
    ax.set_xlabel("hours from order to dispatch (已揽收)")
    ax.set_ylabel("share of orders dispatched")
    ax.set_ylim(0, 1.02)
    ax.set_title("Dispatch time distribution")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def dispatch_shares(kpis: pd.DataFrame) -> Figure:
    """Share of orders dispatched within 24 h and 48 h, by variant."""
    fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
    x = np.arange(len(kpis.index))
    for offset, key, label in (
        (-0.2, "dispatched_within_24h_share", "within 24 h"),
        (0.2, "dispatched_within_48h_share", "within 48 h"),
    ):
        bars = ax.bar(x + offset, kpis[key].to_numpy(dtype=float), width=0.4, label=label)
        ax.bar_label(bars, fmt="%.2f", padding=2)
    ax.set_xticks(x, list(kpis.index))
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("share of orders")
    ax.set_title("Orders dispatched in time")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    return fig


def paired_differences(diffs: pd.DataFrame, kpis: tuple[str, ...]) -> Figure:
    """Paired differences a − b (one row per KPI of ``diffs``) with paired and unpaired 95% CIs.

    KPIs have different units, so each difference is shown relative to its own paired CI's scale."""
    d = diffs[diffs["kpi"].isin(kpis)].set_index("kpi").loc[[k for k in kpis if k in set(diffs["kpi"])]]
    d = d[d["ci95"].notna()]
    a, b = diffs["a"].iloc[0], diffs["b"].iloc[0]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(d) + 1.8), layout="constrained")
    y = np.arange(len(d))
    ax.errorbar(d["mean"], y + 0.15, xerr=d["unpaired_ci95"], fmt="none", ecolor="#bbbbbb", elinewidth=6, label="unpaired 95% CI")
    ax.errorbar(d["mean"], y - 0.15, xerr=d["ci95"], fmt="o", color="#4c72b0", capsize=3, label="paired 95% CI (CRN)")
    for yi, (m, h) in enumerate(zip(d["mean"], d["ci95"], strict=True)):
        ax.annotate(f"{m:+.3g} ± {h:.2g}", (m, yi - 0.15), xytext=(6, -10), textcoords="offset points", fontsize=8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, d.index)
    ax.invert_yaxis()
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlabel(f"{a} − {b} (KPI units, symmetric log scale)")
    ax.set_title(f"Paired differences {a} − {b} over {int(d['n'].max())} replications")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def kpi_vs_parameter(summary: pd.DataFrame, parameter: str, others: list[str], kpis: tuple[str, ...]) -> Figure:
    """KPIs (means with 95% bands) against a swept parameter; a line per variant and setting of the
    other swept parameters."""
    n = len(kpis)
    cols = min(4, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.3 * rows), layout="constrained", squeeze=False)
    groups = list(summary.groupby(["variant", *others], sort=False)) if others else list(summary.groupby("variant", sort=False))
    colors = _colors(len(groups))
    for ax, kpi in zip(axes.flat, kpis, strict=False):
        for (key, g), color in zip(groups, colors, strict=True):
            g = g.sort_values(parameter)
            x = g[parameter].to_numpy(dtype=float)
            y = g[kpi].to_numpy(dtype=float)
            h = np.nan_to_num(g[f"{kpi}_ci95"].to_numpy(dtype=float))
            parts = key if isinstance(key, tuple) else (key,)
            label = ", ".join([str(parts[0]), *(f"{o} = {v}" for o, v in zip(others, parts[1:], strict=True))])
            ax.plot(x, y, marker="o", ms=3, color=color, label=label)
            ax.fill_between(x, y - h, y + h, color=color, alpha=0.2)
        ax.set_title(kpi, fontsize=9)
        ax.set_xlabel(parameter, fontsize=8)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 5), fontsize=8)
    fig.suptitle(f"KPIs against {parameter} (mean ± 95% CI)")
    return fig


def save_charts(figures: dict[str, Figure], folder: Path) -> list[Path]:
    """Save figures as PNG files named after their keys; close them."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in figures.items():
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=120)
        plt.close(fig)
        paths.append(path)
    return paths
