"""parcelsim design: a search whose best design is known by construction, bad spaces, executors."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from sim.cli.main import main
from sim.experiments.design import design_network
from sim.scenario.design import DesignSpec

from .conftest import SMALL, small_scenario


def _m_only():
    """The small district where every parcel is size M and no compound has a 驿站: S slots take none
    of our parcels, and an L slot takes one at more than the rent of the M slots of any step of the
    space, so the cheapest design that meets the constraint has no S and no L slots and the fewest
    M slots that suffice."""
    return small_scenario(
        parcels={**SMALL["parcels"], "size_shares": {"S": 0.0, "M": 1.0, "L": 0.0}},
        city={**SMALL["city"], "pickup_station_share": 0.0},
    )


SPACE = {
    "variant": "locker",
    "space": {
        "city.locker_slots.S": {"choices": [0, 8]},
        "city.locker_slots.M": {"choices": [0, 16, 32, 64]},
        "city.locker_slots.L": {"choices": [0, 8]},
    },
    "costs": {"slot_per_month_yuan": {"S": 6, "M": 8, "L": 100}},  # 8 L slots (800) > 32 more M slots (256)
    "objective": "minimise monthly_cost_yuan",
    "constraints": ["locker_fallback_share<=0.3"],
    "budget": 16,
    "replications": 2,
    "finalists": 2,
    "final_replications": 3,
}


def test_the_search_finds_the_design_known_to_be_best():
    result = design_network(_m_only(), DesignSpec.model_validate(SPACE))
    assert len(result.searched) == 16  # a space no larger than the budget is searched whole
    chosen = result.chosen.values
    assert chosen["city.locker_slots.S"] == 0 and chosen["city.locker_slots.L"] == 0
    # The fewest M slots that meet the constraint, among the designs with neither S nor L slots.
    feasible_m = [
        d.values["city.locker_slots.M"]
        for d in result.searched
        if d.feasible and d.values["city.locker_slots.S"] == 0 and d.values["city.locker_slots.L"] == 0
    ]
    assert chosen["city.locker_slots.M"] == min(feasible_m) > 0
    no_m = next(
        d for d in result.searched if d.values == {"city.locker_slots.S": 8, "city.locker_slots.M": 0, "city.locker_slots.L": 0}
    )
    assert not no_m.feasible and no_m.kpis["locker_fallback_share"] == pytest.approx(1.0)  # nowhere for an M parcel
    empty = next(d for d in result.searched if not any(d.values.values()))
    assert empty.violations[0].startswith("refused: ")  # a bank with no slot is no design
    # Slot rents are M 8 yuan a month, 300 a bank (A41): the chosen design's cost by hand.
    from sim.world.districts import build_city

    sc = result.scenario.resolved("locker")
    banks = len(build_city(sc.city, sc.station, sc.seed, 0).bank_place)
    assert result.chosen.kpis["monthly_cost_yuan"] == pytest.approx(banks * (300 + 8 * chosen["city.locker_slots.M"]))
    # The small scenario's own banks (S 8, M 4, L 2) cost less but miss the constraint: what meeting it costs.
    assert not result.own.feasible and result.versus_own is not None
    assert result.versus_own.mean > 0 and not result.versus_own.better


def test_one_process_and_a_pool_find_the_same_designs():
    spec = DesignSpec.model_validate(
        {**SPACE, "budget": 6, "space": {"city.locker_slots.M": {"low": 16, "high": 96, "step": 16}}}
    )
    one = design_network(_m_only(), spec, jobs=1)
    two = design_network(_m_only(), spec, jobs=2)
    assert [(d.values, d.kpis) for d in one.searched] == [(d.values, d.kpis) for d in two.searched]
    assert one.chosen.values == two.chosen.values


@pytest.mark.slow
def test_dask_finds_the_same_designs():
    spec = DesignSpec.model_validate({**SPACE, "budget": 4, "space": {"city.locker_slots.M": {"choices": [16, 32, 64, 96]}}})
    one = design_network(_m_only(), spec, jobs=1)
    dask = design_network(_m_only(), spec, jobs=2, scheduler="local")
    assert [(d.values, d.kpis) for d in one.searched] == [(d.values, d.kpis) for d in dask.searched]


def test_the_command_writes_the_chosen_design_as_a_scenario(tmp_path, capsys):
    scenario = tmp_path / "m.yaml"
    raw = {**SMALL, "parcels": {**SMALL["parcels"], "size_shares": {"S": 0.0, "M": 1.0, "L": 0.0}}}
    raw["city"] = {**SMALL["city"], "pickup_station_share": 0.0}
    scenario.write_text(yaml.safe_dump(raw), encoding="utf-8")
    space = tmp_path / "space.yaml"
    space.write_text(yaml.safe_dump({**SPACE, "budget": 4, "space": {"city.locker_slots.M": {"choices": [16, 32, 64, 96]}}}))
    out = tmp_path / "design"
    assert main(["design", str(scenario), "--space", str(space), "--out", str(out), "--jobs", "1"]) == 0
    said = capsys.readouterr().out
    assert "Chosen:" in said and "design   1" in said  # progress, design by design
    from sim.scenario.load import load_scenario

    chosen = load_scenario(out / "design.scenario.yaml")
    table = pd.read_csv(out / "design_candidates.csv")
    best = table[(table["source"] == "final") & table["feasible"]].sort_values("monthly_cost_yuan").iloc[0]
    assert best["city.locker_slots.M"] == chosen.city.locker_slots.M
    assert (out / "charts" / "design_pareto.png").stat().st_size > 10_000 and "取件网络设计" in (out / "design.md").read_text()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"space": {}}, "space: name at least one scenario field"),
        ({"space": {"city.locker_slots.S": {"low": -4, "high": 8}}}, "space.city.locker_slots.S: -4 is not allowed"),
        ({"space": {"city.no_such_field": {"choices": [1]}}}, "space.city.no_such_field"),
        ({"space": {"city.locker_slots.S": {"low": 8, "high": 4}}}, "high 4 is below low 8"),
        ({"objective": "minimise no_such_kpi"}, "'no_such_kpi' is no KPI"),
        ({"constraints": ["same_day_delivery_share>>0.9"]}, "expected kpi>=value or kpi<=value"),
        ({"variant": "nowhere"}, "variant 'nowhere' is not in the scenario"),
    ],
)
def test_a_bad_design_space_exits_2_naming_the_field(tmp_path, capsys, change, named):
    scenario = tmp_path / "small.yaml"
    scenario.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
    space = tmp_path / "space.yaml"
    space.write_text(yaml.safe_dump({**SPACE, **change}), encoding="utf-8")
    assert main(["design", str(scenario), "--space", str(space), "--out", str(tmp_path / "out"), "--jobs", "1"]) == 2
    assert named in capsys.readouterr().err


def test_the_shipped_design_file_holds_the_headline_layout():
    """The comment of scenarios/design/lockers.yaml says so: the search can keep the own layout."""
    from sim.experiments.design import own_layout
    from sim.scenario.design import load_design
    from sim.scenario.load import load_scenario

    from .conftest import HEADLINE, ROOT

    spec = load_design(ROOT / "scenarios" / "design" / "lockers.yaml")
    own = own_layout(load_scenario(HEADLINE), spec)
    for path, choice in spec.space.items():
        assert any(abs(v - own[path]) < 1e-9 for v in choice.values()), f"{path}={own[path]} is not in the space"
