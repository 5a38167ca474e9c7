"""Bad input: exit code 2 and one clear message naming the field, the value and what is allowed."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sim.cli.main import main

GOOD = Path(__file__).resolve().parents[1] / "scenarios" / "door_vs_locker.yaml"

# Ten times ten times ... : nine lines that expand to a billion values.
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)

# (scenario YAML, extra CLI args, texts the message must contain)
CASES = {
    "unknown top-level key": ("citty: {}", [], ["citty", "unknown field", "did you mean 'city'"]),
    "typo in a nested key": ("city: {blok_m: 100}", [], ["city.blok_m", "did you mean 'block_m'"]),
    "typo in a list item": ("parcels: {linehaul: [{at_h: 5, shre: 1}]}", [], ["parcels.linehaul.0.shre", "'share'"]),
    "wrong type": ("couriers: {count: many}", [], ["couriers.count", "'many'", "integer"]),
    "negative count": ("couriers: {count: -3}", [], ["couriers.count", "-3", "greater than or equal to 1"]),
    "probability above one": ("recipients: {consent_share: 1.5}", [], ["recipients.consent_share", "1.5", "less than or equal"]),
    "speed above the legal cap": ("couriers: {ride_speed_mps: 6}", [], ["couriers.ride_speed_mps", "4.17"]),
    "shares not summing to one": ("parcels: {size_shares: {S: 0.5, M: 0.3, L: 0.1}}", [], ["parcels.size_shares", "sum to 1"]),
    "waves outside the shift": ("couriers: {waves_h: [6.0, 13.0]}", [], ["couriers", "waves_h", "shift_start_h"]),
    "min above max": ("city: {buildings_min: 9, buildings_max: 3}", [], ["buildings_min (9) must not exceed buildings_max (3)"]),
    "a profile too short": (
        "recipients: {household_types: {all: {share: 1, home_working_day: [0.5, 0.5], home_weekend: [0.5, 0.5], "
        "pickup_by_hour: [1, 1]}}}",
        [],
        ["recipients.household_types.all.home_working_day", "24 values"],
    ),
    "warm-up as long as the run": ("horizon: {days: 2, warmup_days: 2}", [], ["warmup_days (2) must be less than days (2)"]),
    "variant share out of range": ("variants: {door: {door_service_share: 2}}", [], ["variants.door.door_service_share", "2"]),
    "variant override of an unknown field": (
        "variants: {door: {door_service_share: 1, set: {city.blocks: 3}}}",
        [],
        ["variants.door.set", "city.blocks", "did you mean"],
    ),
    "too many couriers for the city": ("city: {blocks_x: 2, blocks_y: 2}\ncouriers: {count: 30}", [], ["couriers.count (30)"]),
    "warehouse shift ends before it starts": (
        "upstream: {warehouse: {shift_start_h: 22, shift_end_h: 8}}",
        [],
        ["upstream.warehouse", "shift_end_h (8) must be after shift_start_h (22)"],
    ),
    "surge release above its threshold": (
        "upstream: {warehouse: {surge: {policy: backlog_threshold, threshold_orders: 100,\n"
        "  release_below_orders: 500, pickers: 5}}}",
        [],
        ["upstream.warehouse.surge", "release_below_orders (500) must be below threshold_orders (100)"],
    ),
    "a 驿站 with no shelves": ("pickup_station: {shelves: 0}", [], ["pickup_station.shelves", "0", "greater than or equal to 1"]),
    "驿站 hours that end before they start": (
        "pickup_station: {opens_h: 20, closes_h: 9}",
        [],
        ["pickup_station", "closes_h (9) must be after opens_h (20)"],
    ),
    "a full-bank step that does not exist": (
        "locker: {when_full: [next_bank, ask_a_neighbour]}",
        [],
        ["locker.when_full", "'ask_a_neighbour'", "next_bank, pickup_station, carry_back"],
    ),
    "steps after carry_back": ("locker: {when_full: [carry_back, next_bank]}", [], ["locker.when_full", "never tried"]),
    "other networks' parcels beyond what a bank holds": (
        "locker: {background_share_per_day: 1.5}",
        [],
        ["locker.background_share_per_day", "1.5", "less than or equal to 1"],
    ),
    "a counter that hands out parcels before it opens": (
        "station: {counter: {pickup: true, opens_h: 22, closes_h: 8}}",
        [],
        ["station.counter", "closes_h (8) must be after opens_h (22)"],
    ),
    "an unknown payer of a charge": (
        "economics: {pickup_station_charge_paid_by: platform}",
        [],
        ["economics.pickup_station_charge_paid_by", "'platform'", "courier|station"],
    ),
    "unknown surge policy": (
        "upstream: {warehouse: {surge: {policy: panic}}}",
        [],
        ["upstream.warehouse.surge.policy", "'panic'", "none|backlog_threshold"],
    ),
    "burst of no orders": ("upstream: {orders: {bursts: [{start_h: 20, orders: 0, duration_min: 30}]}}", [], ["bursts.0.orders"]),
    "departures out of order": (
        "upstream: {linehaul: {departures_h: [18, 12]}}",
        [],
        ["upstream.linehaul.departures_h", "time order"],
    ),
    "typo in an upstream key": ("upstream: {warehous: {}}", [], ["upstream.warehous", "did you mean 'warehouse'"]),
    "unknown delivery policy": (
        "variants: {door: {policy: teleport}}",
        [],
        ["variants.door.policy", "'teleport'", "locker_first"],
    ),
    "shift that ends before it starts": (
        "couriers: {shift_start_h: 18, shift_end_h: 8, waves_h: [18.5]}",
        [],
        ["couriers", "shift_end_h (8) must be after shift_start_h (18)"],
    ),
    "negative fee": ("economics: {door_service_fee_yuan: -0.8}", [], ["economics.door_service_fee_yuan", "-0.8"]),
    "break outside the shift": (
        "couriers: {breaks: [{start_h: 20, minutes: 30}]}",
        [],
        ["couriers", "from 20 h for 30 min lies outside the shift"],
    ),
    "overlapping blocks": (
        "couriers: {breaks: [{start_h: 7.5, minutes: 30}]}",
        [],
        ["couriers", "overlap"],
    ),
    "unknown loading order": ("station: {loading_order: random}", [], ["station.loading_order", "priority|arrival"]),
    "broken YAML": ("city: {blocks_x: 3\nparcels: [", [], ["broken YAML", "line"]),
    "not a mapping": ("- just\n- a list", [], ["must be a mapping"]),
    "--set of an unknown field": ("{}", ["--set", "couriers.cuont=3"], ["couriers.cuont", "did you mean 'count'"]),
    "--set without a value": ("{}", ["--set", "couriers.count"], ["path.to.field=value"]),
    "--set of a bad value": ("{}", ["--set", "couriers.count=0"], ["couriers.count", "0"]),
    # Hardening (issue #18): the loader and the schema refuse what used to pass silently.
    "empty file": ("", [], ["empty scenario", "write {}"]),
    "a key written twice": ("couriers: {count: 3}\ncouriers: {count: 4}", [], ["'couriers' is written twice", "lines 1 and 2"]),
    "an alias bomb": (ALIAS_BOMB, [], ["expands to more than 100,000 values"]),
    "nested too deep": ("description: " + "[" * 60 + "]" * 60, [], ["nested deeper than 40 levels"]),
    "true as a number": ("couriers: {count: true}", [], ["couriers.count", "true is not a number"]),
    "NaN in a list": ("couriers: {waves_h: [.nan, 13]}", [], ["couriers.waves_h.0", "finite number"]),
    "infinity in a list of mappings": (
        "parcels: {linehaul: [{at_h: .inf, share: 1}]}",
        [],
        ["parcels.linehaul.0.at_h", "finite"],
    ),
    "payload below the heaviest parcel": ("couriers: {payload_kg: 1}", [], ["couriers.payload_kg (1)", "heaviest parcel", "6"]),
    "a variant's bad override": (
        "variants: {door: {set: {couriers.count: 0}}}",
        [],
        ["bad.yaml", "variants.door.set", "couriers.count"],
    ),
    "--set into a section with required fields": (
        "{}",
        ["--set", "city.osm.radius_m=500"],
        ["city.osm.file", "required field is missing"],
    ),
    "a 5,000-digit number": ("couriers: {count: " + "9" * 5000 + "}", [], ["a number of 5,000 digits", "line 1"]),
    "--seed above 2^63 - 1": ("{}", ["--seed", "9223372036854775808"], ["--seed", "0-9223372036854775807"]),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_scenario_exits_2_and_names_the_field(case, tmp_path, capsys):
    text, extra, expected = CASES[case]
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    code = main(["run", str(path), "--out", str(tmp_path / "out"), "--no-charts", *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    for fragment in expected:
        assert fragment in err, f"{fragment!r} not in {err!r}"


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2
    assert "no such scenario file" in capsys.readouterr().err


def test_unknown_variant_exits_2(tmp_path, capsys):
    assert main(["run", str(GOOD), "--variant", "drone", "--out", str(tmp_path / "o")]) == 2
    assert "drone" in capsys.readouterr().err


def test_bad_seed_is_an_argparse_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", str(GOOD), "--seed", "-1"])
    assert exc.value.code == 2
    assert "non-negative integer" in capsys.readouterr().err


def test_validate_accepts_every_shipped_scenario(capsys):
    for path in sorted(GOOD.parent.glob("*.yaml")):
        assert main(["validate", str(path)]) == 0, path
    assert "valid scenario" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["plan-couriers", "plan-staff"])
def test_a_target_kpi_that_does_not_exist_exits_2(command, capsys):
    scenario = GOOD if command == "plan-couriers" else GOOD.parent / "flash_sale_10k_30min.yaml"
    variant = "door" if command == "plan-couriers" else "merchant"
    code = main([command, str(scenario), "--variant", variant, "--target", "happiness_share=0.9"])
    err = capsys.readouterr().err
    assert code == 2 and "--target: unknown KPI 'happiness_share'" in err and "same_day_delivery_share" in err


def test_user_text_is_never_read_as_markup(capsys):
    """Regression (#18): a file name with rich markup in it raised MarkupError instead of an error message."""
    assert main(["validate", "x[/].yaml"]) == 2
    assert "x[/].yaml: no such scenario file" in capsys.readouterr().err


def test_ctrl_c_exits_130_with_a_word_not_a_traceback(monkeypatch, capsys):
    import sim.cli.scenarios

    def interrupted(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.cli.scenarios, "_cmd_validate", interrupted)
    assert main(["validate", str(GOOD)]) == 130
    assert capsys.readouterr().err.strip() == "interrupted"


def test_an_output_folder_under_a_file_is_an_error_not_a_traceback(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["run", str(GOOD), "--out", str(blocker / "run"), "--no-charts"]) == 2
    assert str(blocker) in capsys.readouterr().err


def test_breakeven_of_a_variant_with_itself_exits_2(capsys):
    assert main(["breakeven", str(GOOD), "--a", "door", "--b", "door"]) == 2
    assert "same variant ('door')" in capsys.readouterr().err


def test_a_run_in_which_no_courier_rides_completes_with_its_report(tmp_path):
    """Every parcel arrives after the last tour could start: no tours, no stops (issue #18)."""
    out = tmp_path / "quiet"
    sets = [
        "--set",
        "parcels.linehaul=[{at_h: 23.0, share: 1.0}]",
        "--set",
        "parcels.per_day=100",
        "--set",
        "couriers.count=2",
        "--set",
        "horizon.drain_days=0",
    ]
    assert main(["run", str(GOOD), *sets, "--out", str(out), "--variant", "door", "--variant", "locker"]) == 0
    assert not (out / "tours.parquet").exists() and (out / "report.html").is_file() and (out / "meta.json").is_file()


def test_a_district_too_large_to_plan_is_refused_at_once_with_an_estimate(tmp_path, capsys):
    path = tmp_path / "grid.yaml"
    path.write_text("city: {blocks_x: 300, blocks_y: 300}\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 2  # not 95 GiB of distances after minutes (issue #18)
    err = capsys.readouterr().err
    assert "too large to run" in err and "76,500 compounds" in err and "more than 2,000 compounds" in err


def test_a_station_too_large_for_memory_is_refused_with_its_estimate():
    from sim.core.errors import ScenarioError
    from sim.scenario.load import load_scenario
    from sim.scenario.sizing import check_cost, estimate

    scenario = load_scenario(GOOD, {"parcels.per_day": 20_000_000})
    est = estimate(scenario)
    assert est.station_parcels == 40_000_000  # a measured day and a drain day of arrivals in one station area
    assert est.parcels == 20_000_000 * len(scenario.variants)
    with pytest.raises(ScenarioError, match=r"too large to run.*40,000,000 parcels a run.*stations.count"):
        check_cost(scenario, memory_limit=16 * 2**30)
    check_cost(load_scenario(GOOD), memory_limit=16 * 2**30)  # the headline scenario fits easily


@pytest.mark.parametrize(("error", "expected"), [(MemoryError, "out of memory"), (RecursionError, "nested too deeply")])
def test_memory_and_recursion_errors_are_messages(monkeypatch, capsys, error, expected):
    import sim.cli.scenarios

    def failing(*_args):
        raise error

    monkeypatch.setattr(sim.cli.scenarios, "_cmd_validate", failing)
    assert main(["validate", str(GOOD)]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"couriers.count,economics.locker_fee_yuan\n3,0.5\n4\n", "row 3 has 1 cells where the header names 2"),
        (b"couriers.count\n\xe9\n", "not a UTF-8 text file"),
    ],
)
def test_a_broken_sweep_table_exits_2_naming_what_is_wrong(tmp_path, capsys, content, expected):
    table = tmp_path / "t.csv"
    table.write_bytes(content)
    assert main(["sweep", str(GOOD), "--table", str(table), "--out", str(tmp_path / "s"), "--no-charts"]) == 2
    assert expected in capsys.readouterr().err


def test_a_grid_value_that_is_not_yaml_is_text(tmp_path):
    from sim.experiments.sweep import parse_grid

    assert parse_grid("description=[a") == ("description", ["[a"])


def test_max_memory_sets_the_limit_of_the_cost_guard(capsys):
    assert main(["validate", str(GOOD), "--max-memory", "1"]) == 0  # the headline scenario needs a few MiB
    big = ["validate", str(GOOD), "--set", "parcels.per_day=2000000"]
    assert main([*big, "--max-memory", "1"]) == 2
    assert "the limit is 1.0 GiB" in capsys.readouterr().err
    assert main([*big, "--max-memory", "64"]) == 0  # 3.7 GiB a station area fits under a 64 GiB limit


def test_a_grid_of_too_many_points_is_refused_before_anything_runs(tmp_path, capsys):
    grids = ["--grid", "couriers.count=1:1000:1", "--grid", "seed=1:1000:1"]
    assert main(["sweep", str(GOOD), *grids, "--out", str(tmp_path / "s"), "--no-charts"]) == 2
    assert "1,000,000 points; at most 100,000" in capsys.readouterr().err


def test_a_parcel_id_beyond_64_bits_is_an_argument_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["track", str(tmp_path), "9223372036854775808"])
    assert stop.value.code == 2 and "at most 9,223,372,036,854,775,807" in capsys.readouterr().err
