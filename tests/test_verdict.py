"""The verdict sentence says what the numbers say (issue #16)."""

from __future__ import annotations

import pandas as pd

from sim.presentation.verdict import verdict_of
from sim.scenario.schema import scenario_from_dict

SCENARIO = scenario_from_dict(
    {
        "economics": {"door_service_fee_yuan": 0.8, "locker_fee_yuan": 0.5},
        "variants": {"door": {"door_service_share": 1.0}, "locker": {}},
    }
)


def _kpis(door: list[tuple[float, float, float]], locker: list[tuple[float, float, float]]) -> pd.DataFrame:
    """Per-run KPIs: (parcels a day, yuan an hour, yuan a day) for each replication."""
    rows = []
    for variant, values in (("door", door), ("locker", locker)):
        for rep, (parcels, hour, day) in enumerate(values):
            rows.append(
                {
                    "variant": variant,
                    "replication": rep,
                    "parcels_per_courier_day": parcels,
                    "income_per_courier_hour_yuan": hour,
                    "income_per_courier_day_yuan": day,
                }
            )
    return pd.DataFrame(rows)


def test_fewer_parcels_and_a_significant_loss_are_said_with_their_interval():
    kpis = _kpis([(150, 9.0, 100), (152, 9.2, 102), (148, 8.8, 98)], [(200, 10.0, 110), (202, 10.1, 112), (198, 9.9, 108)])
    verdict = verdict_of(kpis, SCENARIO)
    assert verdict.parcels.mean == -50
    assert verdict.per_hour.significant and verdict.per_hour.mean < 0
    text = verdict.sentence()
    assert "0.3 yuan more per parcel" in text and "but delivers 50 fewer parcels a day (150 against 200)" in text
    assert "-1.00 yuan per hour worked (95% CI" in text and "not significant" not in text
    assert "3 paired replications" in text
    assert "每天少派 50 件" in verdict.sentence_zh()


def test_a_difference_whose_interval_holds_zero_is_called_not_significant():
    kpis = _kpis([(150, 9.0, 100), (160, 11.0, 104)], [(155, 10.5, 103), (158, 9.6, 101)])
    verdict = verdict_of(kpis, SCENARIO)
    assert not verdict.per_hour.significant
    assert "not significant" in verdict.sentence() and "差异不显著" in verdict.sentence_zh()


def test_more_parcels_reads_and_more():
    verdict = verdict_of(_kpis([(210, 11, 120), (212, 11.2, 121)], [(200, 10, 110), (201, 10.1, 111)]), SCENARIO)
    assert "and delivers 10 more parcels a day" in verdict.sentence()


def test_one_replication_has_no_interval_and_says_so():
    verdict = verdict_of(_kpis([(150, 9.0, 100)], [(200, 10.0, 110)]), SCENARIO)
    text = verdict.sentence()
    assert "95% CI" not in text and "One replication: no confidence intervals" in text


def test_one_variant_has_no_verdict():
    assert verdict_of(_kpis([(150, 9.0, 100)], [])[lambda d: d["variant"] == "door"], SCENARIO) is None
