"""``report.html``: a results folder on one self-contained page, to look at rather than read.

The page holds a verdict written from the numbers (``sim.verdict``), the KPI table with Chinese
labels, interactive charts (plotly, inlined), a tracking lookup (a parcel's timeline and where it
was), and a replay of a day on the district map: couriers riding their tours along the roads,
parcels coloured by status, locker banks by fill. Everything (scripts, data, a subset of a CJK font)
is inlined, so the file opens offline and makes no network request. The data and the page's script
are built here; ``report.js`` and ``report.css`` beside this module draw it.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import tempfile
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ..core.errors import ResultsError
from ..core.units import SECONDS_PER_DAY, SECONDS_PER_HOUR
from ..experiments.breakeven import BreakevenResult
from ..model.activity import STOP_PART_LABELS
from ..model.curves import locker_changes_by_bank
from ..model.metrics import HEADLINE_KPIS, UPSTREAM_KPIS
from ..model.tracking import DETAIL_NAMES, Status, events_from_arrow
from ..results.folder import Bundle
from ..results.trajectory import courier_tracks
from ..scenario.week import WEEKDAY_NAMES
from ..world.districts import build_city
from .labels import KPI_ZH
from .verdict import Verdict, verdict_of
from .webfont import cjk_font_face

__all__ = ["REPORT_NAME", "write_report"]

REPORT_NAME = "report.html"
REPLAY_MAX_PARCELS = 20_000  # above this, the replay shows a sample of couriers' areas and says so
REPRICE_MAX_PARCELS = 2_000_000  # above this, `parcelsim report` leaves the break-even fee to `parcelsim breakeven`
_NEEDED = ("kpis.csv", "meta.json", "scenario.resolved.yaml", "events.parquet")  # tours and stops exist when couriers rode


def write_report(folder: str | Path, breakeven: BreakevenResult | None = None, bundle: Bundle | None = None) -> Path:
    """Write ``report.html`` into a complete results folder and return its path. ``breakeven``
    (``sim.verdict.breakeven_for`` of the runs) completes the verdict when given; ``bundle``: the
    folder already opened (what it has read is not read again).

    Raises ``ResultsError`` when the folder lacks what a report needs (an unfinished run, or a folder
    from a version before stop intervals were logged)."""
    bundle = bundle or Bundle(folder)
    missing = [name for name in _NEEDED if not (bundle.folder / name).exists()]
    if missing:
        raise ResultsError(f"{bundle.folder}: cannot make a report: no {', '.join(missing)} (run the scenario again)")
    if breakeven is None and verdict_of(bundle.runs, bundle.scenario) is not None and _small(bundle):
        from ..results.bundle import load_results
        from .verdict import breakeven_for

        breakeven = breakeven_for(load_results(bundle.folder))
    page = _page(bundle, breakeven)
    target = bundle.folder / REPORT_NAME
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=bundle.folder, prefix=".report-", delete=False) as part:
        part.write(page)
    os.replace(part.name, target)  # a report is whole or absent, never half-written
    return target


def _small(bundle: Bundle) -> bool:
    """Whether re-reading the whole log for the break-even fee is quick (it is, up to a few million events)."""
    return int(bundle.meta.get("parcels_per_run", 0)) * len(bundle.runs) <= REPRICE_MAX_PARCELS


def _page(bundle: Bundle, breakeven: BreakevenResult | None) -> str:
    sc = bundle.scenario
    verdict = verdict_of(bundle.runs, sc, breakeven)
    means, ci = bundle.kpi_means()  # per variant, with 95% half-widths (None with one replication)
    data = {
        "title": sc.name,
        "description": sc.description.strip(),
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "replications": int(bundle.runs["replication"].nunique()),
        "kpis": _kpi_table(bundle, means, ci),
        "figures": _figures(bundle, means, ci),
        "replay": _replay(bundle),
        "statuses": [[s.label, s.chinese] for s in Status],
        "details": list(DETAIL_NAMES),
        "parts": [[en, zh] for en, zh in STOP_PART_LABELS.values()],
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_plain)
    verdict_html = _verdict_html(verdict, bundle)
    # Inlined JSON is closed by </script> only: escape it where data could hold it.
    text = text.replace("</", "<\\/")
    pieces = {
        "CSS": _asset("report.css"),
        "VERDICT": verdict_html,
        "TITLE": html.escape(sc.name),
        "PLOTLY": _plotly_js(),
        "DATA": text,
        "SCRIPT": _asset("report.js"),
    }
    template = _asset("report.html")
    pieces["FONT"] = cjk_font_face(template + text + verdict_html + pieces["SCRIPT"])
    # One pass over the template: inserted text is never searched for placeholders again.
    return re.sub(r"@@([A-Z]+)@@", lambda m: pieces[m.group(1)], template)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to the report")


def _verdict_html(verdict: Verdict | None, bundle: Bundle) -> str:
    if verdict is None:
        variant = bundle.variants[0]
        row = bundle.runs[bundle.runs["variant"] == variant].mean(numeric_only=True)
        en = (
            f"One variant ({variant}): {row['parcels_per_courier_day']:.0f} parcels per courier-day, "
            f"{row['income_per_courier_day_yuan']:.1f} yuan a day, {row['income_per_courier_hour_yuan']:.2f} yuan an hour. "
            "Add a door and a locker variant for a verdict."
        )
        return f'<p id="verdict-en" class="verdict">{html.escape(en)}</p>'
    return (
        "<h3>Should the station accept 音尊达 parcels? 是否接受音尊达件</h3>"
        f'<p id="verdict-en" class="verdict">{html.escape(verdict.sentence())}</p>'
        f'<p id="verdict-zh" class="verdict zh">{html.escape(verdict.sentence_zh())}</p>'
        + _owner_table(verdict)
        + "<h3>How many couriers? 需要多少快递员</h3><p>The smallest fleet that delivers a share of the parcels the "
        "same day, with the real-world bands checked for it: <code>parcelsim plan-couriers SCENARIO --variant "
        f"{html.escape(verdict.a)} --target same_day_delivery_share=0.95</code> (and the same for "
        f"<code>{html.escape(verdict.b)}</code>).</p>"
    )


def _owner_table(verdict: Verdict) -> str:
    """The owner's numbers: accept minus decline, paired over the replications, with their intervals."""
    rows = [
        ("station net per day 网点日净收入 (yuan)", "station_net_yuan_per_day", 0),
        ("courier pay per day 快递员日收入 (yuan)", "income_per_courier_day_yuan", 1),
        ("courier pay per active hour 作业时薪 (yuan)", "income_per_active_hour_yuan", 2),
        ("courier pay per hour on duty 时薪 (yuan)", "income_per_courier_hour_yuan", 2),
        ("same-day delivery 当日妥投率", "same_day_delivery_share", 3),
        ("parcels carried over a day 滞留件", "carried_over_parcels", 0),
        ("complaints 投诉", "complaints", 0),
    ]
    cells = []
    for label, key, digits in rows:
        d = verdict.diffs[key]
        interval = f"{d.low:+.{digits}f} to {d.high:+.{digits}f}" if d.n >= 2 else "one replication: not yet known"
        cells.append(f"<tr><td>{html.escape(label)}</td><td>{d.signed(digits)}</td><td>{interval}</td></tr>")
    head = f"<tr><th>{html.escape(verdict.a)} − {html.escape(verdict.b)}</th><th>difference</th><th>95% CI</th></tr>"
    return f'<table class="owner">{head}{"".join(cells)}</table>'


def _kpi_table(bundle: Bundle, means: pd.DataFrame, ci: pd.DataFrame | None) -> dict[str, Any]:
    keys = [*HEADLINE_KPIS, *(UPSTREAM_KPIS if bundle.scenario.upstream is not None else ())]
    rows = []
    for key in keys:
        if key not in means.columns:
            continue
        values = [_number(means.at[v, key]) for v in means.index]
        halves = [_number(ci.at[v, key]) if ci is not None and key in ci.columns else None for v in means.index]
        rows.append([key, KPI_ZH.get(key, ""), values, halves])
    return {"variants": [str(v) for v in means.index], "rows": rows}


def _number(x: Any) -> float | None:
    value = float(x)
    return None if math.isnan(value) or math.isinf(value) else round(value, 4)


# --- charts -------------------------------------------------------------------------------------


def _figures(bundle: Bundle, means: pd.DataFrame, ci: pd.DataFrame | None) -> dict[str, Any]:
    """Plotly figures as JSON, each with hover values and 95% intervals."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    variants = [str(v) for v in means.index]
    figures: dict[str, Any] = {}
    shown = [
        ("parcels_per_courier_day", "parcels per courier-day"),
        ("hours_per_courier_day", "hours per courier-day"),
        ("income_per_courier_day_yuan", "income per courier-day (yuan)"),
        ("income_per_courier_hour_yuan", "income per hour (yuan)"),
    ]
    comparison = make_subplots(rows=1, cols=len(shown), subplot_titles=[f"{t}<br>{KPI_ZH[k]}" for k, t in shown])
    for i, (key, _) in enumerate(shown, start=1):
        error = None if ci is None else {"type": "data", "array": [_number(ci.at[v, key]) or 0 for v in means.index]}
        comparison.add_trace(
            go.Bar(
                x=variants,
                y=[_number(means.at[v, key]) for v in means.index],
                error_y=error,
                name=key,
                showlegend=False,
                hovertemplate="%{x}: %{y:.2f}<extra>" + key + "</extra>",
            ),
            row=1,
            col=i,
        )
    comparison.update_layout(  # room above the two-line subplot titles for the figure's own title
        title={"text": "Door vs locker: what a courier delivers and earns (mean ± 95% CI)", "y": 0.98, "yanchor": "top"},
        margin={"t": 120},
        height=430,
    )
    figures["comparison"] = comparison.to_plotly_json()

    breakdown = bundle.income_breakdown()
    if len(breakdown):
        from ..model.economics import INCOME_LINES

        courier = breakdown[breakdown["section"] == "courier"] if "section" in breakdown else breakdown
        lines = [key for key, _ in INCOME_LINES]
        per_variant = courier[["variant", *lines]].groupby("variant", sort=False).mean()
        income = go.Figure()
        for key, label in INCOME_LINES:
            if key in per_variant.columns and per_variant[key].abs().sum() > 0:
                income.add_trace(go.Bar(y=list(per_variant.index), x=per_variant[key], name=label, orientation="h"))
        income.update_layout(barmode="relative", title="A courier's income per day, line by line (yuan) 收入构成", height=360)
        figures["income"] = income.to_plotly_json()

    lead, lockers = go.Figure(), go.Figure()
    for variant in bundle.variants:
        curves = bundle.curves(variant, 0)
        ordered = curves.lead_h_sorted()
        hours = ordered[np.isfinite(ordered)]
        if len(hours):
            picks = np.unique(np.linspace(0, len(hours) - 1, min(len(hours), 400)).astype(int))
            lead.add_trace(go.Scatter(x=hours[picks], y=(picks + 1) / len(hours), name=variant, mode="lines"))
        t, level = curves.locker_level()
        keep = np.unique(np.linspace(0, len(t) - 1, min(len(t), 600)).astype(int)) if len(t) else np.zeros(0, dtype=int)
        lockers.add_trace(go.Scatter(x=t[keep] / SECONDS_PER_HOUR, y=level[keep], name=variant, mode="lines", line_shape="hv"))
    lead.update_layout(
        title="Lead time, arrival at the station to the recipient (ECDF) 时效",
        xaxis_title="hours",
        yaxis_title="share of parcels",
        height=360,
    )
    lockers.update_layout(
        title="Parcels in lockers 快递柜在柜件数", xaxis_title="hour since day 0, 00:00", yaxis_title="parcels", height=360
    )
    figures["lead"] = lead.to_plotly_json()
    figures["lockers"] = lockers.to_plotly_json()
    by_day = bundle.by_day()
    if len(by_day) and by_day["day"].nunique() >= 3:
        figures["week"] = _week_figure(by_day)
    return figures


def _week_figure(by_day: pd.DataFrame) -> dict[str, Any]:
    """The run day by day (as the gallery's week chart): parcels arrived and left, what waited at midnight."""
    import plotly
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    means = by_day.groupby(["variant", "day"], sort=False).mean(numeric_only=True).reset_index()
    variants = list(dict.fromkeys(means["variant"]))
    first = means[means["variant"] == variants[0]]
    labels = [f"{WEEKDAY_NAMES[int(w)]} {int(d)}" for d, w in zip(first["day"], first["weekday"], strict=True)]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.06)
    fig.add_trace(
        go.Bar(
            x=labels,
            y=first["parcels_arrived"],
            name="parcels arrived 到件",
            marker_color="#cccccc",
            customdata=first["couriers_at_work"],
            hovertemplate="%{x}: %{y:.0f} arrived, %{customdata:.0f} couriers at work<extra></extra>",
        ),
        row=1,
        col=1,
    )
    palette = plotly.colors.qualitative.Plotly
    for i, variant in enumerate(variants):
        mine = means[means["variant"] == variant]
        line = {"color": palette[i % len(palette)]}  # one colour a variant in both panels
        for row, key, what in ((1, "parcels_left", "left 派出"), (2, "waiting_at_midnight", "waiting at midnight 滞留")):
            fig.add_trace(
                go.Scatter(x=labels, y=mine[key], name=f"{variant}: {what}", mode="lines+markers", line=line), row=row, col=1
            )
    fig.update_layout(title="Day by day 逐日: arrived, left by couriers, waiting at midnight", height=520)
    fig.update_yaxes(title_text="parcels a day", row=1, col=1)
    fig.update_yaxes(title_text="waiting at midnight", row=2, col=1)
    return fig.to_plotly_json()


# --- the replay and the tracking lookup ----------------------------------------------------------


def _replay(bundle: Bundle) -> dict[str, Any]:
    """One day of station area 0 in the door variant (else the first), replication 0: roads, places,
    couriers' positions along their paths, every parcel's events, the locker banks' fill."""
    sc = bundle.scenario
    variant, day, tours, stops = bundle.shown_day()
    resolved = sc.resolved(variant)
    city = build_city(resolved.city, resolved.station, resolved.seed, 0)
    wanted = [("variant", "=", variant), ("replication", "=", 0), ("station", "=", 0)]
    tours = tours[tours["day"] == day]
    t0 = float(tours["start_s"].min()) - 0.5 * SECONDS_PER_HOUR if len(tours) else day * SECONDS_PER_DAY
    t1 = float(tours["end_s"].max()) + 1.0 * SECONDS_PER_HOUR if len(tours) else (day + 1) * SECONDS_PER_DAY
    events = events_from_arrow(pq.read_table(bundle.table_part("events", 0, variant, 0), filters=wanted))
    order = np.lexsort((events.time_s, events.parcel))
    parcel, time_s = events.parcel[order], events.time_s[order]
    notes = [f"Station area 0, {variant} variant, replication 0, day {day}."]
    if sc.stations.count > 1:
        notes.append(f"One of {sc.stations.count} station areas is replayed.")
    couriers = sorted(int(c) for c in tours["courier"].unique())
    parcels = np.unique(parcel)
    if len(parcels) > REPLAY_MAX_PARCELS:  # a sample: the parcels of the first couriers' areas
        share = REPLAY_MAX_PARCELS / len(parcels)
        couriers = couriers[: max(1, int(len(couriers) * share))]
        notes.append(f"A sample: {len(couriers)} couriers' tours and parcels of {len(parcels):,} parcels.")
        served = np.isin(parcel, np.unique(events.parcel[np.isin(events.courier, couriers)]))
        order = order[served]
        parcel, time_s = parcel[served], time_s[served]
        tours = tours[tours["courier"].isin(couriers)]
    ids, starts = np.unique(parcel, return_index=True)
    place = events.place[order]
    # A parcel's spot on the map: the first compound its events name (its destination), else the station.
    dest = np.zeros(len(ids), dtype=np.int64)
    at_compound = place > 0
    first_compound = np.unique(parcel[at_compound], return_index=True)
    dest[np.searchsorted(ids, first_compound[0])] = place[at_compound][first_compound[1]]
    return {
        "variant": variant,
        "notes": " ".join(notes),
        "t0": t0,
        "t1": t1,
        "roads": _roads(city),
        "places": np.round(city.place_xy, 1).tolist(),
        "banks": _banks(city, events),
        "couriers": _courier_tracks(city, tours, stops),
        "parcels": {
            "id": ids.tolist(),
            "dest": dest.tolist(),
            "start": starts.tolist(),
            "time": np.round(time_s, 1).tolist(),
            "status": events.status[order].tolist(),
            "courier": events.courier[order].tolist(),
            "place": place.tolist(),
            "detail": events.detail[order].tolist(),
        },
    }


def _roads(city: Any) -> list[float]:
    g = city.graph
    flat: list[float] = []
    for u, v in g.edges():
        flat += [g.nodes[u]["x"], g.nodes[u]["y"], g.nodes[v]["x"], g.nodes[v]["y"]]
    return np.round(np.asarray(flat), 1).tolist()


def _banks(city: Any, events: Any) -> list[dict[str, Any]]:
    """Each bank's parcels of ours over time: +1 at every drop, −1 when one leaves (collected, moved
    to its 驿站 at the storage limit, or returned)."""
    times_all, change_all, place_all = locker_changes_by_bank(events)
    banks = []
    for place, slots in zip(city.bank_place, city.locker_slots.sum(axis=1), strict=True):
        mine = place_all == place
        times, change = times_all[mine], change_all[mine]
        order = np.arange(len(times))
        banks.append(
            {
                "place": int(place),
                "slots": int(slots),
                "t": np.round(times[order], 1).tolist(),
                "level": np.cumsum(change[order]).astype(int).tolist(),
            }
        )
    return banks


def _courier_tracks(city: Any, tours: pd.DataFrame, stops: pd.DataFrame) -> list[dict[str, Any]]:
    """Each courier's keyframes (t, x, y), rounded for the page."""
    return [
        {
            "courier": track.courier,
            "t": np.round(track.t, 1).tolist(),
            "x": np.round(track.x, 1).tolist(),
            "y": np.round(track.y, 1).tolist(),
        }
        for track in courier_tracks(city, tours, stops)
    ]


# --- inlined assets -----------------------------------------------------------------------------


def _asset(name: str) -> str:
    return resources.files("sim.presentation").joinpath("assets", name).read_text(encoding="utf-8")


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()
