"""The verdict says what the numbers say (issues #16, #25): the owner's question in the owner's words,
the effective fee gap beside the nominal one, and no direction where one replication cannot tell."""

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
KEYS = (
    "parcels_per_courier_day",
    "income_per_courier_hour_yuan",
    "income_per_courier_day_yuan",
    "station_net_yuan_per_day",
    "fee_yuan_per_parcel",
)


def _kpis(door: list[tuple[float, ...]], locker: list[tuple[float, ...]]) -> pd.DataFrame:
    """Per-run KPIs, one tuple per replication in the order of ``KEYS``."""
    rows = []
    for variant, values in (("door", door), ("locker", locker)):
        for rep, row in enumerate(values):
            share = 1.0 if variant == "door" else 0.1  # every parcel 音尊达, against buyers' choice
            rows.append(
                {"variant": variant, "replication": rep, "door_service_parcel_share": share, **dict(zip(KEYS, row, strict=True))}
            )
    return pd.DataFrame(rows)


def test_no_verdict_where_the_variants_carry_the_same_share_of_yinzunda_parcels():
    """Merchant against cloud warehouse is no question of accepting 音尊达: nothing is said."""
    kpis = _kpis([(150, 9.0, 100, 4000, 0.72)] * 2, [(200, 10.0, 110, 4500, 0.52)] * 2)
    assert verdict_of(kpis, SCENARIO) is not None
    kpis["door_service_parcel_share"] = 0.1
    assert verdict_of(kpis, SCENARIO) is None


def test_fewer_parcels_and_a_significant_loss_are_said_with_their_interval():
    kpis = _kpis(
        [(150, 9.0, 100, 4000, 0.72), (152, 9.2, 102, 4010, 0.72), (148, 8.8, 98, 3990, 0.71)],
        [(200, 10.0, 110, 4500, 0.52), (202, 10.1, 112, 4510, 0.52), (198, 9.9, 108, 4490, 0.53)],
    )
    verdict = verdict_of(kpis, SCENARIO)
    assert verdict.parcels.mean == -50
    assert verdict.per_hour.significant and verdict.per_hour.mean < 0
    text = verdict.sentence()
    assert "0.3 yuan a parcel nominal, 0.19 yuan effective" in text
    assert "delivers 50 fewer parcels a day (150 against 200)" in text
    assert "-1.00 yuan per hour worked (95% CI" in text and "net changes by -500 yuan a day" in text
    assert "3 paired replications" in text
    assert "每天少派 50 件" in verdict.sentence_zh() and "实际 0.19 元" in verdict.sentence_zh()


def test_a_difference_whose_interval_holds_zero_is_called_not_significant():
    kpis = _kpis([(150, 9.0, 100, 1, 0.7), (160, 11.0, 104, 2, 0.7)], [(155, 10.5, 103, 2, 0.5), (158, 9.6, 101, 1, 0.5)])
    verdict = verdict_of(kpis, SCENARIO)
    assert not verdict.per_hour.significant
    assert "not significant" in verdict.sentence() and "差异不显著" in verdict.sentence_zh()


def test_more_parcels_reads_more():
    verdict = verdict_of(
        _kpis([(210, 11, 120, 1, 0.7), (212, 11.2, 121, 1, 0.7)], [(200, 10, 110, 1, 0.5), (201, 10.1, 111, 1, 0.5)]), SCENARIO
    )
    assert "delivers 10 more parcels a day" in verdict.sentence()


def test_one_replication_gives_no_direction_and_says_so():
    verdict = verdict_of(_kpis([(150, 9.0, 100, 4000, 0.7)], [(200, 10.0, 110, 4500, 0.5)]), SCENARIO)
    text = verdict.sentence()
    assert "95% CI" not in text and "direction of these differences is not yet known" in text
    assert "-1.00 yuan per hour" not in text and "1.00 yuan per hour worked" in text  # the size, without a sign
    assert "差异方向尚不可知" in verdict.sentence_zh()


def test_one_variant_has_no_verdict():
    assert verdict_of(_kpis([(150, 9.0, 100, 1, 0.7)], [])[lambda d: d["variant"] == "door"], SCENARIO) is None
