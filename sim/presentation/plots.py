"""Comparison charts, one chart per function, each returning a matplotlib Figure.

The functions take plain DataFrames (as a results folder holds them), so they work the same on a
fresh ``RunSet`` and on a bundle read back from disk. Each draws into the ``ax`` (or ``axes``)
given, or into a new figure; none changes matplotlib's global settings: the CJK font that makes
labels like 已签收 render is applied inside each call only.
"""

from __future__ import annotations

import functools
import importlib.resources
import itertools
import textwrap
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib import ticker as mticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..core.units import SECONDS_PER_HOUR
from ..model.metrics import DAY_PART_KPIS, HEADLINE_KPIS
from ..scenario.week import WEEKDAY_NAMES

if TYPE_CHECKING:
    from ..experiments.design import DesignResult
    from ..experiments.field import FieldResult
    from ..experiments.sweep import SweepResult
    from ..results.runset import RunSet
    from ..scenario.schema import TrafficConfig
    from ..scenario.week import PeakDays

__all__ = [
    "backlog_over_time",
    "capacity",
    "courier_gantt",
    "courier_time_breakdown",
    "delivery_distributions",
    "design_pareto",
    "dispatch_shares",
    "dispatch_time_ecdf",
    "district_map",
    "field_chart",
    "income_breakdown",
    "kpi_vs_parameter",
    "lead_time_ecdf",
    "locker_occupancy",
    "paired_differences",
    "save_charts",
    "speed_profile",
    "station_backlog",
    "variant_comparison",
]

_COMPARED = (
    ("parcels_per_courier_day", "Parcels delivered per courier-day 日派件量", "parcels"),
    ("hours_per_courier_day", "Hours worked per courier-day 日工作时长", "hours"),
    ("income_per_courier_day_yuan", "Net income per courier-day 日收入", "yuan"),
    ("income_per_courier_hour_yuan", "Net income per courier-hour 时薪", "yuan / hour"),
)
# The parts of a courier's day (``DAY_PART_KPIS``, in that order), as the time breakdown draws them.
_TIME_PARTS = dict(
    zip(
        DAY_PART_KPIS,
        (
            ("station tasks 分拣/揽收 (sorting, outbound pick-ups)", "#b07d2b"),
            ("loading and shelving 装车/上架", "#8c8c8c"),
            ("riding 骑行", "#4c72b0"),
            ("parking 停车", "#64b5cd"),
            ("walking 步行", "#55a868"),
            ("stairs / elevator 爬楼/电梯", "#c44e52"),
            ("waiting 等待 (elevator, entrance, door, calls)", "#dd8452"),
            ("handover at the door 交付", "#8172b2"),
            ("locker drops, 驿站 hand-ins 投柜/驿站", "#da8bc3"),
            ("at the station, waiting for parcels or a task 待件", "#dddddd"),
        ),
        strict=True,
    )
)

P = ParamSpec("P")
R = TypeVar("R")


def cjk_font_path() -> str:
    """The Noto Sans CJK SC font file the mplfonts package ships (for charts and the report)."""
    return str(importlib.resources.files("mplfonts") / "fonts" / "NotoSansCJKsc-Regular.otf")


@functools.cache
def _font_family() -> tuple[str, ...]:
    """Latin text in DejaVu Sans, Chinese in Noto Sans CJK SC (shipped by the mplfonts package).
    Registering the font file makes it available; it changes no setting."""
    try:
        font_manager.fontManager.addfont(cjk_font_path())
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        warnings.warn("mplfonts is not installed: Chinese labels may not render", stacklevel=3)
        return ("DejaVu Sans",)
    return ("DejaVu Sans", "Noto Sans CJK SC")


def _styled(chart: Callable[P, R]) -> Callable[P, R]:
    """Run a chart function with the CJK font family, restoring the caller's settings after."""

    @functools.wraps(chart)
    def styled(*args: P.args, **kwargs: P.kwargs) -> R:
        with plt.rc_context({"font.family": list(_font_family())}):
            return chart(*args, **kwargs)

    return styled


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """The caller's axes, or a new figure's; tick labels get the CJK font too (matplotlib makes
    them when the figure is drawn, outside the chart function)."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    ax.tick_params(labelfontfamily=list(_font_family()))
    return _figure_of(ax), ax


def _figure_of(ax: Axes) -> Figure:
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)  # an axes drawn into always belongs to a figure
    return fig


def _legend(ax: Axes) -> None:
    """A legend, if anything on the axes has a label (an empty variant draws nothing), beside the
    axes on the right: inside, it covers bars, labels or lines whatever corner it takes (and
    matplotlib's "best" searches every drawn point, seconds over millions of them)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize=8)


# Charts draw at most this many points per line: a screen shows no more, and a million would cost
# seconds to render for nothing.
CHART_POINTS = 2000


def _same_distribution(a: np.ndarray, b: np.ndarray, within: float = 0.01) -> bool:
    """Do two samples' ECDFs lie within ``within`` of each other everywhere (on a chart, one line
    over the other)? The Kolmogorov-Smirnov distance, +inf values counted in the denominators."""
    if len(a) == 0 or len(b) == 0:
        return False
    a, b = _in_order(a), _in_order(b)
    grid = np.union1d(a[np.isfinite(a)], b[np.isfinite(b)])
    gap = np.abs(np.searchsorted(a, grid, side="right") / len(a) - np.searchsorted(b, grid, side="right") / len(b))
    return bool(gap.max(initial=0.0) <= within)


def ecdf_points(values: np.ndarray, points: int = CHART_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """(x, share of all values at or below x) for the finite values; +inf (not happened by the end
    of the run) counts in the denominator only. Over ``points`` values, the curve runs through
    ``points`` evenly spaced quantiles: exact at each of them."""
    v = np.asarray(values, dtype=float)
    finite = _in_order(v[np.isfinite(v)])
    if len(finite) <= points:
        return finite, np.arange(1, len(finite) + 1) / max(len(v), 1)
    ranks = np.unique(np.linspace(1, len(finite), points).round().astype(np.int64))
    return finite[ranks - 1], ranks / len(v)


def _in_order(values: np.ndarray) -> np.ndarray:
    """The values (no NaN: the model's times are +inf where a thing did not happen) sorted; a run's
    lead times come sorted already (``RunCurves.lead_h_sorted``), and sorting millions of them
    again would cost more than looking."""
    return np.sort(values) if np.any(values[1:] < values[:-1]) else values


def thin_steps(times: np.ndarray, values: np.ndarray, points: int = CHART_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """A step series with at most about ``points`` steps: over that, the time axis is cut into
    ``points`` bins and each bin keeps its highest value (the envelope: no peak is lost)."""
    t, v = np.asarray(times, dtype=float), np.asarray(values, dtype=float)
    if len(t) <= points:
        return t, v
    edges = np.linspace(t[0], t[-1], points + 1)
    starts = np.unique(np.searchsorted(t, edges[:-1], side="left"))
    return t[starts], np.maximum.reduceat(v, starts)


def _colors(n: int) -> list:
    return [plt.get_cmap("tab10")(i % 10) for i in range(n)]


@_styled
def variant_comparison(kpis: pd.DataFrame, ci: pd.DataFrame | None = None, *, axes: Sequence[Axes] | None = None) -> Figure:
    """Door vs locker (and other variants) side by side: throughput, hours, income per day and per hour.

    ``kpis`` has one row per variant (index) and a column per KPI; ``ci`` optionally the 95% half-widths;
    ``axes`` four axes to draw into (default: a new 2 x 2 figure).
    """
    if axes is None:
        fig, grid = plt.subplots(2, 2, figsize=(11, 7.5), layout="constrained")
        axes = list(grid.flat)
        fig.suptitle("Delivery modes compared, per courier (measured days)", fontsize=13)
    if len(axes) != len(_COMPARED):
        raise ValueError(f"axes: variant_comparison draws {len(_COMPARED)} panels, got {len(axes)} axes")
    variants = list(kpis.index)
    colors = _colors(len(variants))
    for ax, (key, title, unit) in zip(axes, _COMPARED, strict=True):
        _axes(ax, (0, 0))
        values = kpis[key].to_numpy(dtype=float)
        err = ci[key].to_numpy(dtype=float) if ci is not None and key in ci else None
        bars = ax.bar(variants, values, color=colors, yerr=err, capsize=4 if err is not None else 0)
        ax.bar_label(bars, fmt="%.1f", padding=2)
        ax.set_title(title)
        ax.set_ylabel(unit)
        ax.margins(y=0.15)
        ax.grid(axis="y", alpha=0.3)
    return _figure_of(axes[0])


@_styled
def courier_time_breakdown(means: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Where a courier's hours on duty go, by variant: station tasks, loading, riding, the parts of
    the stops, waiting at the station. ``means``: the KPI means by variant (``DAY_PART_KPIS``,
    hours per courier-day, breaks excluded)."""
    parts = means[list(_TIME_PARTS)].fillna(0.0)
    fig, ax = _axes(ax, (10, 5.5))
    left = np.zeros(len(parts))
    for key, (label, color) in _TIME_PARTS.items():
        ax.barh(parts.index, parts[key], left=left, label=label, color=color)
        left += parts[key].to_numpy()
    for y, total in enumerate(left):
        ax.text(total, y, f" {total:.1f} h", va="center")
    ax.set_xlabel("hours per courier-day")
    ax.set_title("Where a courier's working day goes")
    ax.invert_yaxis()
    ax.margins(x=0.12)
    _legend(ax)
    ax.grid(axis="x", alpha=0.3)
    return fig


@_styled
def lead_time_ecdf(lead_times_h: dict[str, np.ndarray], *, ax: Axes | None = None) -> Figure:
    """Share of parcels in the recipient's hands within x hours of reaching the station, by variant."""
    return _ecdf(
        lead_times_h,
        ax=ax,
        xlabel="hours from station arrival to the recipient's hands",
        ylabel="share of parcels",
        title="Lead time: station → recipient (到达网点 → 已签收 / 已取件)",
        show_median=True,
    )


def _ecdf(
    values_by_variant: dict[str, np.ndarray],
    *,
    xlabel: str,
    ylabel: str,
    title: str,
    ax: Axes | None,
    show_median: bool = False,
    marks_h: tuple[float, ...] = (),
) -> Figure:
    """Empirical CDFs, a step line per variant. +inf values (not happened by the end of the run) are
    not drawn but count in the denominator, so a line can end below 1."""
    fig, ax = _axes(ax, (9, 5.5))
    drawn: dict[str, np.ndarray] = {}
    for (variant, values), color in zip(values_by_variant.items(), _colors(len(values_by_variant)), strict=True):
        x, share = ecdf_points(values)
        if len(x):
            label = f"{variant} (median {np.median(values):.1f} h)" if show_median else variant
            under = next((other for other, seen in drawn.items() if _same_distribution(seen, values)), None)
            style: dict[str, Any] = {}
            if under is not None:  # drawn dashed and said so: it would hide the line it lies on
                label += f", on {under}'s line"
                style = {"linestyle": (0, (4, 3)), "linewidth": 2.0}
            ax.step(x, share, where="post", label=label, color=color, **style)
            drawn[variant] = values
    for h in marks_h:
        ax.axvline(h, color="grey", linestyle="--", linewidth=1)
        ax.text(h, 0.02, f" {h:g} h", color="grey")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    _legend(ax)
    return fig


@_styled
def locker_occupancy(occupancy: dict[str, tuple[np.ndarray, np.ndarray]], slots: int, *, ax: Axes | None = None) -> Figure:
    """Share of locker slots occupied over time, by variant (``{variant: (times_s, occupied)}``)."""
    fig, ax = _axes(ax, (9, 5))
    for (variant, (t, occ)), color in zip(occupancy.items(), _colors(len(occupancy)), strict=True):
        t, occ = thin_steps(t, occ)
        ax.step(t / SECONDS_PER_HOUR, occ / max(slots, 1), where="post", label=variant, color=color)
    ax.set_xlabel("hours since day 0, 00:00")
    ax.set_ylabel("share of all locker slots occupied")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"Locker occupancy ({slots} slots in the district)")
    ax.grid(alpha=0.3)
    _legend(ax)
    return fig


@_styled
def backlog_over_time(
    series: dict[str, tuple[np.ndarray, np.ndarray]], bursts: Sequence[tuple[float, float]], *, ax: Axes | None = None
) -> Figure:
    """Orders in the warehouse (placed, not yet packed) over time, by variant; bursts shaded."""
    return _backlog(series, bursts, "orders placed, not yet packed", "Warehouse backlog over time 仓库积压", ax)


def _backlog(
    series: dict[str, tuple[np.ndarray, np.ndarray]],
    bursts: Sequence[tuple[float, float]],
    ylabel: str,
    title: str,
    ax: Axes | None,
) -> Figure:
    """A step chart of a count over time, a line per variant, flash-sale bursts shaded."""
    fig, ax = _axes(ax, (10, 5.5))
    for (variant, (t, v)), color in zip(series.items(), _colors(len(series)), strict=True):
        t, v = thin_steps(t, v)
        ax.step(t / SECONDS_PER_HOUR, v, where="post", label=variant, color=color)
    for i, (start_h, minutes) in enumerate(bursts):
        ax.axvspan(start_h, start_h + minutes / 60.0, color="red", alpha=0.25, label="flash-sale burst" if i == 0 else None)
    ax.set_xlabel("hours since day 0, 00:00")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    _legend(ax)
    return fig


@_styled
def dispatch_time_ecdf(dispatch_h: dict[str, np.ndarray], *, ax: Axes | None = None) -> Figure:
    """Share of orders dispatched within x hours, by variant; 24 h and 48 h marked."""
    return _ecdf(
        dispatch_h,
        ax=ax,
        xlabel="hours from order to dispatch (已揽收)",
        ylabel="share of orders dispatched",
        title="Dispatch time distribution",
        marks_h=(24, 48),
    )


@_styled
def dispatch_shares(kpis: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Share of orders dispatched within 24 h and 48 h, by variant."""
    fig, ax = _axes(ax, (8, 5))
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
    _legend(ax)
    ax.grid(axis="y", alpha=0.3)
    return fig


@_styled
def paired_differences(diffs: pd.DataFrame, kpis: Sequence[str], *, ax: Axes | None = None) -> Figure:
    """Paired differences a − b (one row per KPI of ``diffs``) with paired and unpaired 95% CIs.

    KPIs have different units, so each difference is shown relative to its own paired CI's scale."""
    d = diffs[diffs["kpi"].isin(kpis)].set_index("kpi").loc[[k for k in kpis if k in set(diffs["kpi"])]]
    d = d[d["ci95"].notna()]
    a, b = diffs["a"].iloc[0], diffs["b"].iloc[0]
    fig, ax = _axes(ax, (9, 0.45 * len(d) + 1.8))
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
    _legend(ax)
    ax.grid(axis="x", alpha=0.3)
    return fig


@_styled
def kpi_vs_parameter(
    summary: pd.DataFrame, parameter: str, others: list[str], kpis: Sequence[str], *, axes: Sequence[Axes] | None = None
) -> Figure:
    """KPIs (means with 95% bands) against a swept parameter; a line per variant and setting of the
    other swept parameters. ``axes``: one axes per KPI (default: a new grid of panels)."""
    n = len(kpis)
    if axes is None:
        cols = min(4, n)
        rows = -(-n // cols)
        fig, grid = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.3 * rows), layout="constrained", squeeze=False)
        axes = list(grid.flat)
    elif len(axes) < n:
        raise ValueError(f"axes: kpi_vs_parameter draws {n} panels, got {len(axes)} axes")
    fig = _figure_of(axes[0])
    groups = list(summary.groupby(["variant", *others], sort=False)) if others else list(summary.groupby("variant", sort=False))
    colors = _colors(len(groups))
    for ax, kpi in zip(axes, kpis, strict=False):
        _axes(ax, (0, 0))
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
    for ax in list(axes)[n:]:
        ax.axis("off")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 5), fontsize=8)
    fig.suptitle(f"KPIs against {parameter} (mean ± 95% CI)")
    return fig


@_styled
def station_backlog(
    series: dict[str, tuple[np.ndarray, np.ndarray]], bursts: Sequence[tuple[float, float]] = (), *, ax: Axes | None = None
) -> Figure:
    """Parcels at the delivery stations not yet delivered (on shelves or on tricycles), by variant."""
    return _backlog(series, bursts, "parcels arrived, not yet delivered", "Station backlog over time 网点待派件", ax)


@_styled
def district_map(
    city: Any,
    tours: list[list[int]] | None = None,
    tour_waves: list[int] | None = None,
    title: str = "",
    *,
    ax: Axes | None = None,
) -> Figure:
    """The district: roads, compounds (size by households), locker banks, 驿站, the station, and one
    courier's tours for a day (lists of places, station first) coloured by delivery wave."""
    import networkx as nx
    from matplotlib.collections import LineCollection, PolyCollection

    fig, ax = _axes(ax, (9, 9))
    g = city.graph
    frame = city.map_frame
    if frame is not None:  # a real district: compound outlines and building footprints from the map data
        ax.add_collection(PolyCollection(frame.compound_rings, facecolor="#fbeed5", edgecolor="#d9b77a", linewidth=0.8, zorder=0))
        ax.add_collection(PolyCollection(frame.building_rings, facecolor="#c9b79c", edgecolor="#8c7a5b", linewidth=0.4, zorder=1))
    segments, widths, colors = [], [], []
    for u, v, d in g.edges(data=True):
        segments.append([(g.nodes[u]["x"], g.nodes[u]["y"]), (g.nodes[v]["x"], g.nodes[v]["y"])])
        width, color = _ROAD_STYLE.get(d["kind"], (0.6, "#dddddd"))
        widths.append(width)
        colors.append(color)
    ax.add_collection(LineCollection(segments, linewidths=widths, colors=colors, zorder=1))
    households = np.bincount(city.building_compound, weights=np.bincount(city.household_building), minlength=city.n_compounds)
    xy = city.place_xy
    ax.scatter(
        xy[1:, 0],
        xy[1:, 1],
        s=20 + households / households.max() * 180,
        marker="s",
        color="#f2c57c",
        edgecolor="#b07d2b",
        label="residential compound 小区 (size: households)",
        zorder=2,
    )
    lockers = xy[city.bank_place]
    ax.scatter(lockers[:, 0], lockers[:, 1], s=40, marker="^", color="#4c72b0", label="locker bank 快递柜", zorder=3)
    stations = xy[city.pickup_place]
    if len(stations):  # beside the compound's gate, so a bank there stays visible
        ax.scatter(stations[:, 0] + 25, stations[:, 1], s=45, marker="D", color="#8172b2", label="pick-up station 驿站", zorder=3)
    ax.scatter(xy[0, 0], xy[0, 1], s=320, marker="*", color="#c44e52", edgecolor="black", label="station 网点", zorder=5)
    wave_colors = ["#2ca02c", "#9467bd", "#ff7f0e", "#17becf"]
    tours = tours or []
    waves = tour_waves or [0] * len(tours)
    for k, tour in enumerate(tours):
        wave = waves[k]
        path = [*tour, tour[0]]
        nodes: list[int] = []
        for a, b in itertools.pairwise(path):
            leg = nx.shortest_path(g, int(city.place_node[a]), int(city.place_node[b]), weight=city.route_weight)
            nodes.extend(leg if not nodes else leg[1:])
        label = f"tours in wave {wave + 1}" if wave not in waves[:k] else None
        route_x, route_y = [g.nodes[n]["x"] for n in nodes], [g.nodes[n]["y"] for n in nodes]
        ax.plot(route_x, route_y, color=wave_colors[wave % 4], linewidth=2.5, alpha=0.75, zorder=4, label=label)
    ax.set_aspect("equal")
    ax.autoscale_view()
    if frame is None:
        ax.set_xlabel("x (m)")
        ax.set_ylabel("y (m)")
    else:
        lat, lon = frame.origin
        ax.set_xlabel(f"metres east of the station ({lat:.5f}° N, {lon:.5f}° E, WGS-84)")
        ax.set_ylabel("metres north of the station")
        _scale_bar(ax)
    ax.set_title(title or "District map 配送区域")
    ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    return fig


# Line width and colour of each road class: the synthetic grid's and OpenStreetMap's highway classes.
_ROAD_STYLE = {
    "arterial": (2.2, "#9a9a9a"),
    "local": (1.0, "#c8c8c8"),
    **dict.fromkeys(["primary", "primary_link", "secondary", "secondary_link"], (2.2, "#9a9a9a")),
    **dict.fromkeys(["tertiary", "tertiary_link", "unclassified", "residential"], (1.2, "#b4b4b4")),
}


def _scale_bar(ax: Axes) -> None:
    """A bar of a round number of metres, about a fifth of the map's width, in the lower right."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    raw = (x1 - x0) / 5
    length = max(b * 10 ** np.floor(np.log10(raw)) for b in (1, 2, 5) if b * 10 ** np.floor(np.log10(raw)) <= raw)
    right, low = x1 - (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    ax.plot([right - length, right], [low, low], color="black", linewidth=3, zorder=6)
    ax.text(right - length / 2, low + (y1 - y0) * 0.012, f"{length:,.0f} m", ha="center", va="bottom", fontsize=8, zorder=6)


@_styled
def courier_gantt(
    tours: pd.DataFrame, stops: pd.DataFrame, parts: pd.DataFrame, title: str = "", *, ax: Axes | None = None
) -> Figure:
    """One courier's day as a Gantt chart: a row per activity, a bar per stretch of time, each where
    it happened: time at the station and rides from the tours and stops, and within each stop the
    parts as logged (``parts``: the ``stop_parts`` table, sim.model.ledger.StopPart)."""
    from ..model.activity import STOP_PART_LABELS

    part_rows = [(int(part), f"{en} {zh}") for part, (en, zh) in STOP_PART_LABELS.items()]
    labels = {"station": "loading and shelving 装车/上架", "ride": "riding 骑行", **{f"p{k}": v for k, v in part_rows}}
    rows = list(labels)
    bars: dict[str, list[tuple[float, float]]] = {k: [] for k in rows}
    for tour in tours.sort_values("start_s").itertuples(index=False):
        bars["station"].append((tour.start_s, tour.depart_s - tour.start_s))
        bars["station"].append((tour.return_s, tour.end_s - tour.return_s))
        in_tour = stops[(stops["arrive_s"] >= tour.depart_s) & (stops["arrive_s"] <= tour.return_s)].sort_values("arrive_s")
        last = tour.depart_s
        for stop in in_tour.itertuples(index=False):
            bars["ride"].append((last, stop.arrive_s - last))
            last = stop.depart_s
        bars["ride"].append((last, tour.return_s - last))
    day_parts = []
    for part in parts.itertuples(index=False):
        bars[f"p{int(part.part)}"].append((part.start_s, part.end_s - part.start_s))
        if part.place < 0:  # a break or task taken between two stops is not riding
            day_parts.append((part.start_s, part.end_s))
    bars["ride"] = _without(bars["ride"], day_parts)
    rows = [k for k in rows if any(dur > 0 for _, dur in bars[k])]
    fig, ax = _axes(ax, (12, 5))
    colors = _colors(len(rows))
    for y, key in enumerate(rows):
        spans = [(start / SECONDS_PER_HOUR, dur / SECONDS_PER_HOUR) for start, dur in bars[key] if dur > 0]
        ax.broken_barh(spans, (y - 0.4, 0.8), color=colors[y])
    ax.set_yticks(range(len(rows)), [labels[k] for k in rows])
    ax.invert_yaxis()
    ax.set_xlabel("hour of the day (since day 0, 00:00)")
    ax.set_title(title or "A courier's day")
    ax.grid(axis="x", alpha=0.3)
    return fig


def _without(spans: list[tuple[float, float]], cuts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The (start, duration) spans with the (start, end) intervals ``cuts`` taken out of them."""
    out = []
    for start, dur in spans:
        pieces = [(start, start + dur)]
        for cut_start, cut_end in cuts:
            pieces = [piece for a, b in pieces for piece in ((a, min(b, cut_start)), (max(a, cut_end), b)) if piece[1] > piece[0]]
        out += [(a, b - a) for a, b in pieces]
    return out


@_styled
def income_breakdown(breakdown: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """A courier's income per day, line by line and by variant: earnings stacked to the right of
    zero, costs to the left, the net marked. ``breakdown`` as ``RunSet.income_breakdown()`` returns it
    (means over replications are drawn)."""
    from ..model.economics import INCOME_LINES

    courier = breakdown[breakdown["section"] == "courier"] if "section" in breakdown else breakdown
    lines = [key for key, _ in INCOME_LINES] + ["net"]
    means = courier[["variant", *lines]].groupby("variant", sort=False).mean()
    fig, ax = _axes(ax, (10, 0.9 * len(means) + 2.5))
    y = np.arange(len(means))
    right, left = np.zeros(len(means)), np.zeros(len(means))
    colors = _colors(len(INCOME_LINES))
    for (key, label), color in zip(INCOME_LINES, colors, strict=True):
        values = means[key].to_numpy(dtype=float)
        if not np.any(values):
            continue  # a line that is zero everywhere (e.g. no piece rate set) is not drawn
        base = np.where(values >= 0, right, left)
        ax.barh(y, values, left=base, color=color, label=label, height=0.6)
        right += np.maximum(values, 0)
        left += np.minimum(values, 0)
    ax.scatter(means["net"], y, marker="D", color="black", zorder=5, label="net income 净收入")
    for yi, net in zip(y, means["net"], strict=True):
        ax.annotate(
            f"{net:.1f}",
            (net, yi),
            xytext=(0, 10),
            textcoords="offset points",
            ha="center",
            fontsize=9,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, list(means.index))
    ax.invert_yaxis()
    ax.set_xlabel("yuan per courier-day")
    ax.set_title("A courier's income per day, line by line 收入构成")
    _legend(ax)
    ax.grid(axis="x", alpha=0.3)
    return fig


@_styled
def capacity(summary: dict[str, dict[str, dict[str, float | None]]], *, ax: Axes | None = None) -> Figure:
    """Parcels a courier delivers in a saturated working day, by variant, with 95% CIs, against the
    real-world band of 150-300 a day and ≈100 for door-heavy JD couriers (sources §2).
    ``summary`` as ``CapacityResult.summary()`` returns it."""
    fig, ax = _axes(ax, (8, 5))
    variants = list(summary)
    means = [summary[v]["parcels_per_courier_day"]["mean"] or 0.0 for v in variants]
    errs = [summary[v]["parcels_per_courier_day"]["ci95"] or 0.0 for v in variants]
    ax.axhspan(150, 300, color="#55a868", alpha=0.15, label="real-world 150-300 a day (sources §2)")
    ax.axhline(100, color="#c44e52", linestyle="--", linewidth=1, label="≈100 a day, door-heavy JD couriers (sources §2)")
    bars = ax.bar(variants, means, color=_colors(len(variants)), yerr=errs, capsize=4)
    ax.bar_label(bars, fmt="%.0f", padding=3)
    ax.set_ylabel("parcels delivered per courier-day")
    ax.set_title("Daily capacity: parcels a courier delivers when work never runs out 日派件能力")
    ax.margins(y=0.15)
    _legend(ax)
    ax.grid(axis="y", alpha=0.3)
    return fig


@_styled
def field_chart(results: Sequence[FieldResult], *, ax: Axes | None = None) -> Figure:
    """Model against field: for each replayed study, the model's figure with its 95% interval and
    the published range, both as a ratio to the published figure (its middle), on a log scale; the
    band of ±``TOLERANCE`` around the published range is what counts as within."""
    from ..experiments.field import TOLERANCE

    fig, ax = _axes(ax, (10, 0.75 * len(results) + 1.8))
    for y, r in enumerate(results):
        low, high = r.study.published
        middle = (low + high) / 2
        band = [low * (1 - TOLERANCE) / middle, high * (1 + TOLERANCE) / middle]
        ax.plot(
            band,
            [y, y],
            color="#55a868",
            alpha=0.35,
            linewidth=9,
            solid_capstyle="butt",
            label=f"published, ±{TOLERANCE:.0%}" if y == 0 else None,
        )
        ax.plot([low / middle, high / middle], [y, y], color="#2d7a3e", linewidth=3, label="published" if y == 0 else None)
        color = "#4c72b0" if r.within else "#c44e52"
        ax.errorbar(r.mean / middle, y, xerr=r.ci95 / middle, fmt="o", color=color, capsize=3, zorder=5)
    ax.scatter([], [], color="#4c72b0", label="model (95% CI): within")
    ax.scatter([], [], color="#c44e52", label="model (95% CI): a miss")
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(mticker.FixedLocator([0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4]))
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(mticker.NullFormatter())
    ax.axvline(1.0, color="black", linewidth=0.6)
    labels = [textwrap.fill(r.study.figure + (" (calibration)" if r.study.calibration else ""), 48) for r in results]
    ax.set_yticks(range(len(results)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("model ÷ published figure (log scale)")
    ax.set_title("Field studies replayed: the model against what was measured 实测对照")
    _legend(ax)
    ax.grid(axis="x", alpha=0.3, which="both")
    return fig


@_styled
def speed_profile(traffic: TrafficConfig, *, ax: Axes | None = None) -> Figure:
    """The day's riding speed by road kind (share of free-flow speed, hour by hour) and the lifts'
    wait factor: what ``traffic`` sets."""
    fig, ax = _axes(ax, (9, 4.5))
    hours = np.arange(24) + 0.5
    car = np.array([traffic.factor_at(traffic.peaks, h) for h in hours])
    shares = traffic.tricycle_share_of_delay
    named = sorted(shares, key=lambda k: (-shares[k], k))
    seen: set[float] = set()
    for kind, color in zip(named, _colors(len(named)), strict=True):
        if shares[kind] in seen:
            continue  # kinds sharing a share share a line: the legend names the first
        seen.add(shares[kind])
        same = [k for k in named if shares[k] == shares[kind]]
        speed = 1.0 / (1.0 + (car - 1.0) * shares[kind])
        ax.step(np.arange(25), np.append(speed, speed[-1]), where="post", color=color, label=f"e-tricycle on {', '.join(same)}")
    ax.step(np.arange(25), np.append(1 / car, 1 / car[-1]), where="post", color="black", linestyle=":", label="cars")
    if traffic.lift_peaks:
        lift = np.array([traffic.factor_at(traffic.lift_peaks, h) for h in hours])
        ax.step(
            np.arange(25),
            np.append(1 / lift, 1 / lift[-1]),
            where="post",
            color="#c44e52",
            linestyle="--",
            label="lifts (1 ÷ wait factor)",
        )
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 3))
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("hour of day")
    ax.set_ylabel("share of free-flow speed")
    ax.set_title("The day's speed profile 分时路况")
    ax.grid(alpha=0.3)
    _legend(ax)
    return fig


@_styled
def week(by_day: pd.DataFrame, peaks: Sequence[PeakDays] = (), *, axes: Sequence[Axes] | None = None) -> Figure:
    """The run day by day (``by_day.csv``, means over replications): parcels that came and that
    couriers left, with the couriers at work; below, what was still waiting at midnight. ``peaks``
    (the scenario's ``week.peaks``) are marked."""
    if axes is None:
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True, height_ratios=[3, 2], layout="constrained")
    else:
        top, bottom = axes
        fig = _figure_of(top)
    for ax in (top, bottom):
        ax.tick_params(labelfontfamily=list(_font_family()))
    means = by_day.groupby(["variant", "day"], sort=False).mean(numeric_only=True).reset_index()
    variants = list(dict.fromkeys(means["variant"]))
    first = means[means["variant"] == variants[0]]
    days = first["day"].to_numpy()
    top.bar(days, first["parcels_arrived"], color="#dddddd", label="parcels arrived 到件")
    for variant, color in zip(variants, _colors(len(variants)), strict=True):
        mine = means[means["variant"] == variant]
        top.plot(mine["day"], mine["parcels_left"], marker="o", color=color, label=f"{variant}: parcels left 派出")
        bottom.plot(mine["day"], mine["waiting_at_midnight"], marker="o", color=color, label=variant)
    for day, at_work in zip(days.tolist(), first["couriers_at_work"].tolist(), strict=True):
        top.annotate(f"{at_work:.0f}", (day, 0), textcoords="offset points", xytext=(0, 3), ha="center", fontsize=7)
    weekday = first["weekday"].astype(int).tolist()
    bottom.set_xticks(days, [f"{WEEKDAY_NAMES[w]}\n{d}" for d, w in zip(days.tolist(), weekday, strict=True)], fontsize=8)
    unmeasured = first["measured"].to_numpy() == 0
    for ax in (top, bottom):
        for day in days[unmeasured].tolist():
            ax.axvspan(day - 0.5, day + 0.5, color="#f3f3f3", zorder=0)
        ax.grid(axis="y", alpha=0.3)
    for peak in peaks:
        top.axvspan(peak.from_day - 0.5, peak.from_day + peak.days - 0.5, color="#fde0c5", zorder=0)
        top.annotate(
            f"{peak.name} ×{peak.factor:g}", (peak.from_day - 0.4, 1), xycoords=("data", "axes fraction"), va="top", fontsize=8
        )
    top.set_ylabel("parcels a day")
    top.set_title("Day by day 逐日: arrived, left by couriers (numbers: couriers at work 出勤人数)")
    bottom.set_ylabel("waiting at midnight 滞留件")
    bottom.set_xlabel("day (shaded: not measured)")
    _legend(top)
    _legend(bottom)
    return fig


@_styled
def design_pareto(result: DesignResult, *, ax: Axes | None = None) -> Figure:
    """Every design the search evaluated: its monthly cost against the chart's KPI, feasible ones
    filled, the front of feasible designs no other beats on both joined, the scenario's own layout
    and the chosen design marked."""
    from ..scenario.design import COST_KPI

    fig, ax = _axes(ax, (9, 5.5))
    sense, kpi = result.spec.pareto.split()
    designs = [d for d in result.searched if COST_KPI in d.kpis]  # those the scenario did not refuse
    cost = np.array([d.kpis[COST_KPI] for d in designs])
    other = np.array([d.kpis.get(kpi, np.nan) for d in designs])
    ok = np.array([d.feasible for d in designs])
    ax.scatter(cost[~ok], other[~ok], facecolors="none", edgecolors="#8c8c8c", label="misses a constraint")
    ax.scatter(cost[ok], other[ok], color="#4c72b0", label="meets every constraint")
    sign = 1.0 if sense == "minimise" else -1.0
    front = [
        i
        for i in np.flatnonzero(ok)
        if not any(
            ok[j]
            and cost[j] <= cost[i]
            and sign * other[j] <= sign * other[i]
            and (cost[j] < cost[i] or sign * other[j] < sign * other[i])
            for j in range(len(designs))
        )
    ]
    if front:
        order = sorted(front, key=lambda i: cost[i])
        ax.plot(cost[order], other[order], color="#4c72b0", linewidth=1, label="Pareto front 帕累托前沿")
    # Every point from the search's replications: the chosen design where the search saw it.
    own = result.own
    chosen = next((d for d in designs if d.number == result.chosen.number), result.chosen)
    ax.scatter(
        [own.kpis[COST_KPI]], [own.kpis.get(kpi, np.nan)], marker="s", s=80, color="#dd8452", label="the scenario's own layout"
    )
    ax.scatter([chosen.kpis[COST_KPI]], [chosen.kpis.get(kpi, np.nan)], marker="*", s=220, color="#c44e52", label="chosen design")
    ax.set_xlabel("monthly cost of the pick-up network (yuan) 月成本")
    ax.set_ylabel(kpi)
    ax.set_title(f"Pick-up network designs: cost against {kpi} ({len(designs)} evaluated)")
    ax.grid(alpha=0.3)
    _legend(ax)
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


_DISTRIBUTION_LABELS = {
    "parcels_per_courier_day": "parcels per courier-day 日派件量",
    "day_span_h": "first to last delivery (h) 工作跨度",
    "gap_min": "minutes between deliveries 单件间隔",
    "parcels_per_stop": "parcels per stop (AOI) 每站件数",
    "delivery_hour": "hour of delivery 投递时段",
}


@_styled
def delivery_distributions(logs: dict[str, Any]) -> Figure:
    """The distributions of delivery logs (``sim.lade.LadeSummary`` by label) as empirical CDFs, one
    panel each: a real log alone, or real against simulated after a calibration."""
    fig, axes = plt.subplots(1, len(_DISTRIBUTION_LABELS), figsize=(4 * len(_DISTRIBUTION_LABELS), 3.6), layout="constrained")
    for ax, (name, label) in zip(axes, _DISTRIBUTION_LABELS.items(), strict=True):
        ax.tick_params(labelfontfamily=list(_font_family()))
        for (who, summary), color in zip(logs.items(), _colors(len(logs)), strict=True):
            values = np.sort(summary.values[name])
            if len(values):
                ax.step(values, np.arange(1, len(values) + 1) / len(values), where="post", color=color, label=who)
        ax.set_title(label, fontsize=10)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("share (ECDF)")
    _legend(axes[-1])
    return fig


# --- The charts of the public API (``sim.plot_comparison`` and the like), from run sets and sweeps.


def plot_comparison(runs: RunSet) -> Figure:
    """Door vs locker (and other variants): throughput, hours and income, with 95% CIs."""
    return variant_comparison(runs.kpis(), runs.ci() if runs.replications > 1 else None)


def plot_differences(runs: RunSet, a: str | None = None, b: str | None = None, kpis: tuple[str, ...] = HEADLINE_KPIS) -> Figure:
    """Paired differences a − b of the headline KPIs with their 95% CIs (needs 2+ replications)."""
    a = a or runs.variants[0]
    b = b or runs.variants[1]
    return paired_differences(runs.differences([(a, b)]), kpis)


def plot_parameter(sweep: SweepResult, parameter: str, kpis: tuple[str, ...] = HEADLINE_KPIS) -> Figure:
    """Each KPI against one swept parameter, a line per variant, with 95% confidence bands."""
    others = [p for p in sweep.parameters if p != parameter]
    return kpi_vs_parameter(sweep.kpis(), parameter, others, kpis)
