"""Every chart function on a small result: a figure with the expected axes, labels and data."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib import font_manager

from sim.cli.main import main
from sim.experiments.runner import run
from sim.experiments.sweep import grid_points, sweep
from sim.model.curves import dispatch_times_h, lead_times_h, locker_occupancy_series, station_backlog_series
from sim.model.metrics import DAY_PART_KPIS
from sim.presentation import plots
from sim.presentation.gallery import gallery
from sim.results.folder import Bundle
from sim.scenario.schema import scenario_from_dict

from .conftest import ROOT, small_scenario


@pytest.fixture(scope="module")
def runs():
    return run(small_scenario(), replications=2)


def data_points(ax) -> int:
    """Points drawn on an axes by lines, bars, scatters and broken bars."""
    n = sum(len(line.get_xdata()) for line in ax.lines)
    n += len(ax.patches)
    n += sum(len(c.get_offsets()) if hasattr(c, "get_offsets") else 0 for c in ax.collections)
    return n


def test_variant_comparison_has_four_panels_with_cis(runs):
    fig = plots.plot_comparison(runs)
    axes = fig.axes
    assert len(axes) == 4
    assert {ax.get_title().split(" 日")[0].split(" 时")[0] for ax in axes} >= {"Net income per courier-hour"}
    for ax in axes:
        assert ax.get_ylabel() and [t.get_text() for t in ax.get_xticklabels()] == ["door", "locker", "mixed"]
        assert len(ax.patches) == 3
        assert any(len(c.get_segments()) == 3 for c in ax.collections)  # error bars


def test_paired_differences_chart(runs):
    fig = plots.plot_differences(runs, "door", "locker")
    ax = fig.axes[0]
    assert "door − locker" in ax.get_title()
    assert len(ax.get_yticklabels()) > 5 and data_points(ax) > 0


def test_time_breakdown_adds_up_to_hours_on_duty(runs):
    # The parts come from three tables (courier-days, tours, stops) summed separately; they must
    # account for every hour on duty, and the locker variant's drop sessions must show as their own
    # part, not as riding.
    means = runs.runs().groupby("variant", sort=False).mean(numeric_only=True)
    parts = means[list(DAY_PART_KPIS)]
    assert np.allclose(parts.sum(axis=1), means["hours_per_courier_day"], rtol=1e-9)
    assert (parts.to_numpy() >= -1e-9).all()  # every part of the day is a real stretch of time
    assert parts.at["locker", "pickup_handover_hours_per_courier_day"] > parts.at["door", "pickup_handover_hours_per_courier_day"]
    assert parts.at["door", "vertical_hours_per_courier_day"] > parts.at["locker", "vertical_hours_per_courier_day"]
    fig = plots.courier_time_breakdown(means)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "hours per courier-day" and len(ax.patches) == len(DAY_PART_KPIS) * 3
    ends = [p.get_x() + p.get_width() for p in ax.patches[-3:]]  # the last part's bars end at the hours on duty
    assert np.allclose(ends, means["hours_per_courier_day"])


def test_income_breakdown_chart_stacks_the_lines_to_the_net(runs):
    breakdown = runs.income_breakdown()
    assert set(breakdown["variant"]) == {"door", "locker", "mixed"}
    fig = plots.income_breakdown(breakdown)
    ax = fig.axes[0]
    net = breakdown[breakdown["section"] == "courier"].groupby("variant", sort=False)["net"].mean()
    assert np.allclose(ax.collections[0].get_offsets()[:, 0], net.to_numpy())  # the net markers
    widths = [p.get_width() for p in ax.patches]
    assert sum(widths) == pytest.approx(net.sum())  # the bars (costs to the left of zero) add up to the nets


def test_ecdfs_and_occupancy(runs):
    r = runs.result("locker")
    lead = lead_times_h(r.events, r.n_parcels, (0, 2 * 86400))
    fig = plots.lead_time_ecdf({"locker": lead})
    ax = fig.axes[0]
    assert ax.get_ylabel() == "share of parcels" and "median" in ax.get_legend().get_texts()[0].get_text()
    y = ax.lines[0].get_ydata()
    assert y[-1] == pytest.approx(1.0) and np.all(np.diff(y) >= 0)
    t, occ = locker_occupancy_series(r.events)
    fig = plots.locker_occupancy({"locker": (t, occ)}, r.locker_slots_total)
    assert 0 < fig.axes[0].lines[0].get_ydata().max() <= 1
    t, backlog = station_backlog_series(r.events)
    assert backlog[-1] == r.accounting.in_flight  # arrived, never dropped nor returned
    fig = plots.station_backlog({"locker": (t, backlog)})
    assert data_points(fig.axes[0]) == len(t)


def test_map_and_gantt_from_a_results_folder(tmp_path, runs):
    from sim.results.bundle import write_bundle

    write_bundle(runs, tmp_path)
    charts = gallery(Bundle(tmp_path))
    assert {"district_map", "courier_gantt", "paired_differences", "variant_comparison"} <= set(charts)
    ax = charts["district_map"].axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"station 网点", "pick-up station 驿站"} <= set(labels) and any(label.startswith("tours in wave") for label in labels)
    assert ax.get_xlabel() == "x (m)"
    gantt = charts["courier_gantt"].axes[0]
    rows = [t.get_text() for t in gantt.get_yticklabels()]
    assert rows[1].startswith("riding") and {"locker 投柜", "break 休息"} <= set(rows)
    assert len(gantt.collections) == len(rows) and sum(len(c.get_paths()) for c in gantt.collections) > 10
    # One activity at a time: the bars of all rows never overlap (a break between stops is no ride).
    spans = sorted((b.x0, b.x1) for c in gantt.collections for p in c.get_paths() for b in [p.get_extents()])
    assert all(b0 >= a1 - 1e-6 for (_, a1), (b0, _) in itertools.pairwise(spans))


def test_no_legend_covers_the_data_it_explains(tmp_path, runs):
    """Every chart's legend lies outside its plotting area (the district map's over its margin
    alone is the exception: it has no empty corner)."""
    from sim.results.bundle import write_bundle

    write_bundle(runs, tmp_path)
    checked = 0
    for name, fig in gallery(Bundle(tmp_path)).items():
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:
            legend = ax.get_legend()
            if legend is None or name == "district_map":
                continue
            inside = legend.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))
            assert not inside, f"{name}: the legend covers the plotting area"
            checked += 1
    assert checked >= 4


def test_a_line_hidden_under_another_is_drawn_dashed_and_said():
    values = np.linspace(0, 10, 500)
    fig = plots.lead_time_ecdf({"door": values, "door_cutting": values + 1e-3, "locker": values + 3})
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[1].endswith("on door's line") and "on " not in labels[0] + labels[2]
    styles = [line.get_linestyle() for line in fig.axes[0].get_lines()]
    assert styles[0] == "-" and styles[1] != "-" and styles[2] == "-"


def test_upstream_charts():
    scenario = scenario_from_dict(
        {
            "upstream": {
                "orders": {"per_day": 800, "bursts": [{"start_h": 20, "orders": 1500, "duration_min": 30}]},
                "warehouse": {"pickers": 3, "packers": 3},
                "simulate_delivery": False,
            },
            "horizon": {"days": 2, "drain_days": 2},
            "variants": {"merchant": {}},
        }
    )
    r = run(scenario).result("merchant")
    t, v = r.upstream.monitors["backlog"].series()
    fig = plots.backlog_over_time({"merchant": (t, v)}, [(20, 30)])
    ax = fig.axes[0]
    assert ax.get_ylabel() == "orders placed, not yet packed" and v.max() >= 1500
    assert "flash-sale burst" in [t.get_text() for t in ax.get_legend().get_texts()]
    fig = plots.dispatch_time_ecdf({"merchant": dispatch_times_h(r.events, r.n_parcels, (0, 2 * 86400))})
    assert "已揽收" in fig.axes[0].get_xlabel() and data_points(fig.axes[0]) > 100


def test_kpi_vs_parameter_has_a_band_per_variant():
    result = sweep(
        small_scenario(), grid_points([("economics.door_service_fee_yuan", [0.5, 1.0, 1.5])]), replications=2, variants=["door"]
    )
    fig = plots.plot_parameter(result, "economics.door_service_fee_yuan", ("income_per_courier_day_yuan",))
    ax = fig.axes[0]
    assert ax.get_xlabel() == "economics.door_service_fee_yuan" and len(ax.lines[0].get_xdata()) == 3
    assert len(ax.collections) == 1  # the confidence band
    assert np.all(np.diff(ax.lines[0].get_ydata()) > 0)  # income rises with the door fee


def test_chinese_labels_have_a_font():
    found = font_manager.findfont(font_manager.FontProperties(family="Noto Sans CJK SC"), fallback_to_default=False)
    assert "CJK" in found


def test_plot_command_regenerates_the_gallery(tmp_path, capsys):
    out = tmp_path / "run"
    assert (
        main(
            [
                "run",
                str(ROOT / "scenarios" / "flash_sale_10k_30min.yaml"),
                "--out",
                str(out),
                "--no-charts",
                "--set",
                "horizon.days=1",
                "--set",
                "horizon.drain_days=4",
            ]
        )
        == 0
    )
    assert not (out / "charts").exists()
    assert main(["plot", str(out)]) == 0
    names = {p.stem for p in (out / "charts").glob("*.png")}
    assert {"backlog_over_time", "dispatch_time_ecdf", "dispatch_shares", "district_map", "courier_gantt"} <= names
    assert main(["plot", str(tmp_path / "missing")]) == 2
