"""What the commands print: KPI tables that fit the terminal, warnings, numbers, user text escaped."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from ..presentation.verdict import Verdict
    from ..results.runset import RunSet

__all__ = ["escape", "fmt", "kpi_cell", "print_fitting", "print_kpis", "print_verdict", "print_warnings", "print_week"]


def escape(text: str) -> str:
    """User text (file names, values, messages quoting them) printed as itself, never as rich markup."""
    from rich.markup import escape

    return escape(text)


def print_kpis(runs: RunSet, console: Console, pairs: list[tuple[str, str]] | None = None) -> None:
    from ..model.metrics import HEADLINE_KPIS, UPSTREAM_KPIS

    kpis = runs.kpis()
    reps = runs.replications
    ci = runs.ci() if reps > 1 else None
    title = f"{runs.scenario.name}: KPIs per variant" + (f" (mean ± 95% CI over {reps} replications)" if reps > 1 else "")
    keys = [*HEADLINE_KPIS, *(UPSTREAM_KPIS if runs.scenario.upstream is not None else ())]
    columns = [
        (str(v), [fmt(kpis.at[v, key]) + (f" ± {fmt(ci.at[v, key])}" if ci is not None else "") for key in keys])
        for v in kpis.index
    ]
    print_fitting(console, title, keys, columns)
    if reps > 1 and len(runs.variants) > 1:
        diffs = runs.differences(pairs)
        columns = []
        for a, b in dict.fromkeys(zip(diffs["a"], diffs["b"], strict=True)):
            cells = []
            for key in keys:
                row = diffs[(diffs["a"] == a) & (diffs["b"] == b) & (diffs["kpi"] == key)].iloc[0]
                cells.append(f"{fmt(row['mean'])} ± {fmt(row['ci95'])}")
            columns.append((f"{a} − {b}", cells))
        print_fitting(console, "Paired differences a − b (common random numbers), mean ± 95% CI", keys, columns)


def print_week(runs: RunSet, console: Console) -> None:
    """For a run of a week or more: each weekday's parcels left, couriers at work and parcels waiting
    at midnight per variant, averaged over the measured days and replications (``by_weekday.csv``)."""
    from rich.table import Table

    from ..results.runset import by_weekday
    from ..scenario.week import DAYS_PER_WEEK, WEEKDAY_NAMES

    first, last = runs.scenario.horizon.warmup_days, runs.scenario.horizon.days
    if last - first < DAYS_PER_WEEK:
        return
    week = by_weekday(runs.by_day())
    title = "By weekday 按星期, measured days, mean: parcels left 派出, couriers at work 出勤, waiting at midnight 滞留"
    table = Table(title=title, title_justify="left")
    table.add_column("day", no_wrap=True, min_width=3)
    variants = list(dict.fromkeys(week["variant"]))
    for variant in variants:
        for what in ("left", "at work", "waiting"):
            table.add_column(f"{escape(str(variant))}\n{what}", justify="right", no_wrap=True)
    for weekday in range(DAYS_PER_WEEK):
        cells = []
        for variant in variants:
            row = week[(week["variant"] == variant) & (week["weekday"] == weekday)]
            keys = ("parcels_left", "couriers_at_work", "waiting_at_midnight")
            cells += [fmt(float(row[k].iloc[0])) if len(row) else "–" for k in keys]
        table.add_row(WEEKDAY_NAMES[weekday], *cells)
    console.print(table)


def print_fitting(console: Console, title: str, keys: list[str], columns: list[tuple[str, list[str]]]) -> None:
    """A KPI table (Chinese label and key, then a column per variant), split into as many tables of
    whole columns as it takes to fit the terminal's width (80 columns or more)."""
    from rich.cells import cell_len
    from rich.table import Table

    from ..presentation.labels import KPI_ZH

    labels = [kpi_cell(key) for key in keys]
    first = max(max(cell_len(key), cell_len(KPI_ZH.get(key, ""))) for key in keys) + 3
    widths = [max(cell_len(text) for text in [header, *cells]) + 3 for header, cells in columns]
    groups: list[list[int]] = [[]]
    used = first
    for i, width in enumerate(widths):
        if groups[-1] and used + width + 1 > console.width:
            groups.append([])
            used = first
        groups[-1].append(i)
        used += width
    for n, group in enumerate(groups):
        part = f" ({n + 1}/{len(groups)})" if len(groups) > 1 else ""
        table = Table(title=escape(title) + part, title_justify="left")
        table.add_column("KPI 指标", no_wrap=True)
        for i in group:
            table.add_column(escape(columns[i][0]), justify="right", no_wrap=True)
        for row, label in enumerate(labels):
            table.add_row(label, *(columns[i][1][row] for i in group))
        console.print(table)


def kpi_cell(key: str) -> str:
    from ..presentation.labels import KPI_ZH

    zh = KPI_ZH.get(key)
    return f"{zh}\n[dim]{key}[/]" if zh else key


def print_warnings(warnings: list[str], console: Console) -> None:
    """Warnings follow the results they qualify: a KPI outside its real-world band, work spilling over."""

    for warning in warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}")


def fmt(x: float | None) -> str:
    if x is None or x != x:
        return "–"
    if abs(x) < 1e-9:
        x = 0.0  # floating-point noise, e.g. the CI of a KPI that is the same in every replication
    return f"{x:,.0f}" if abs(x) >= 1000 or float(x).is_integer() else f"{x:,.3g}" if abs(x) < 1 else f"{x:,.2f}"


def print_verdict(verdict: Verdict | None, console: Console) -> None:
    """The owner's question answered from the runs: accept 音尊达 parcels? (door against locker)."""
    if verdict is None:  # one variant, or no 音尊达 question between the variants
        return
    console.print("\n[bold]Should the station accept 音尊达 parcels? 是否接受音尊达件[/]")
    console.print(escape(verdict.sentence()))
    console.print(escape(verdict.sentence_zh()))
