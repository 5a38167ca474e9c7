"""Recipients and couriers as people: households with daily rhythms, contact and consent, who buys
door delivery, couriers who cut corners, pick-ups by time of day, return pick-ups. Each behaviour is
checked in the direction the world has it, and the headline figures from events.parquet alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.cli.main import main
from sim.core.streams import Streams
from sim.model.facilities.recipients import Households
from sim.model.metrics import kpis_of
from sim.model.run import simulate
from sim.scenario.load import load_scenario

from .conftest import HEADLINE, small_scenario

H = 3600.0


def households(seed: int = 5, replication: int = 0, n: int = 20_000, **recipients) -> Households:
    sc = small_scenario(recipients=recipients) if recipients else small_scenario()
    streams = Streams(seed, replication)
    return Households.of(sc, n_households=n, streams=streams)


def test_households_stay_the_same_in_every_replication():
    a, b = households(replication=0), households(replication=3)
    assert np.array_equal(a.type, b.type) and np.array_equal(a.standing_consent, b.standing_consent)
    assert len(np.unique(a.type)) == 4  # every kind of household is there


def test_presence_drawn_a_day_at_a_time_is_presence_drawn_when_asked():
    """A station area draws the presence of the households with parcels a day at a time, in arrays;
    anyone else, and any hour before the shift, is drawn when asked. Both give the same answers, so
    that which households have parcels changes nobody's day."""
    asked, drawn = households(), households()
    with_parcels = np.arange(0, 20_000, 7)
    drawn.expect_visits(with_parcels, 7)
    for household in [*with_parcels[:300].tolist(), 1, 2, 19_999]:
        for t in (3.5 * H, 7 * H, 12.25 * H, 23.9 * H, 24 * H + 9 * H, 6 * 24 * H + 10 * H):  # day 6: a Sunday
            assert drawn.is_home(household, t) == asked.is_home(household, t), (household, t)
    home = [asked.is_home(int(x), 12 * H) for x in with_parcels]
    assert 0.2 < np.mean(home) < 0.9  # the answers vary: the comparison could fail


def test_presence_persists_within_a_day():
    h = households()
    everyone = np.arange(4000)
    home10 = np.array([h.is_home(int(x), 10 * H) for x in everyone])
    home12 = np.array([h.is_home(int(x), 12 * H) for x in everyone])
    # Persistence: away at 10:00 makes away at 12:00 likelier than it is on average.
    assert home12[~home10].mean() < home12.mean() - 0.2
    # Within one type, persistence is what ties the hours: without it they are independent.
    for persistence, tied in ((0.8, True), (0.0, False)):
        h = households(presence_persistence=persistence)
        home_all_day = np.flatnonzero(h.type == 1)[:6000]
        f10 = np.array([h.is_home(int(x), 10 * H) for x in home_all_day])
        f12 = np.array([h.is_home(int(x), 12 * H) for x in home_all_day])
        gap = f12.mean() - f12[~f10].mean()
        assert (gap > 0.15) if tied else (abs(gap) < 0.05), (persistence, gap)


def test_weekends_keep_commuters_home():
    h = households()
    commuters = np.flatnonzero(h.type == 0)[:3000]
    saturday = 5 * 86400 + 14 * H
    monday = 0 * 86400 + 14 * H
    weekend = np.mean([h.is_home(int(x), saturday) for x in commuters])
    assert weekend > np.mean([h.is_home(int(x), monday) for x in commuters]) + 0.3


@pytest.fixture(scope="module")
def headline_events(tmp_path_factory):
    out = tmp_path_factory.mktemp("headline") / "run"
    assert main(["run", str(HEADLINE), "--out", str(out), "--no-charts", "--reps", "2"]) == 0
    return pd.read_parquet(out / "events.parquet"), pd.read_csv(out / "kpis.csv")


def _door_attempts(events: pd.DataFrame) -> pd.DataFrame:
    """Door attempts from the log alone: handovers, and failures because nobody was home or the
    recipient asked for later; in time order per parcel."""
    status, detail = events["status"].astype(str), events["detail"].astype(str)
    door = (events["courier"] >= 0) & (
        (status == "delivered") | ((status == "delivery_failed") & detail.isin(["not_home", "rescheduled"]))
    )
    out = events[door].assign(ok=status[door] == "delivered", day=events["time_s"][door] // 86400)
    return out.sort_values(["replication", "parcel", "time_s"], kind="stable")


def test_a_same_day_retry_succeeds_less_and_the_failure_calibration_holds(headline_events):
    """Whoever was out at the first knock is likely still out at a retry that day (persistence, A8).
    The 8-20% failure band is the calibration target of A8, checked here so that it keeps holding;
    it is no evidence (the held-out figures are on docs/background/field_validation.md)."""
    events, _ = headline_events
    door = _door_attempts(events[events["variant"].astype(str) == "door"])
    first = door.groupby(["replication", "parcel"]).head(1)
    failure = 1 - first["ok"].mean()
    assert 0.08 <= failure <= 0.20  # sources §3: the calibration target
    second = door.groupby(["replication", "parcel"]).nth(1)
    before = first.set_index(["replication", "parcel"])
    second = second.set_index(["replication", "parcel"])
    retry = second[(~before.loc[second.index, "ok"]).to_numpy() & (before.loc[second.index, "day"] == second["day"]).to_numpy()]
    assert len(retry) > 50
    assert retry["ok"].mean() < first["ok"].mean() - 0.1  # whoever was out is likely still out


def test_the_off_hours_pickup_calibration_holds(headline_events):
    """40-58% of locker pick-ups outside 09:00-17:00 is the calibration target of A9 (no evidence)."""
    events, _ = headline_events
    locker = events[(events["variant"].astype(str) == "locker") & (events["status"].astype(str) == "picked_up")]
    locker = locker[locker["place"] > 0]
    hour = (locker["time_s"] % 86400) // 3600
    off = ((hour < 9) | (hour >= 17)).mean()
    assert 0.40 <= off <= 0.58  # sources §3: 40% (Australia Post) to 58% (InPost)


def test_the_headline_reports_compliance_complaints_and_fines(headline_events):
    _, kpis = headline_events
    k = kpis.groupby("variant").mean(numeric_only=True)
    assert k.loc["door_cutting", "door_service_compliance_share"] < 1.0
    assert k.loc["door_cutting", "complaints"] > 0 and k.loc["door", "complaints"] == 0
    assert k.loc["door_cutting", "fines_yuan"] == pytest.approx(50 * k.loc["door_cutting", "complaints"])
    # Complaints cost the cutting courier more than the time saved earns: he nets less per day.
    assert k.loc["door_cutting", "income_per_courier_day_yuan"] < k.loc["door", "income_per_courier_day_yuan"]
    assert 0.07 <= k.loc["locker", "door_service_parcel_share"] <= 0.13  # buyers choose: about 10% (A5, A26)


def _cutting(**recipients) -> dict[str, float]:
    sc = small_scenario(
        parcels={"per_day": 900, "day_to_day_cv": 0.0},
        couriers={"count": 4, "compliance": {"policy": "time_pressure", "max_cut_share": 0.6}},
        recipients=recipients,
        variants={"door": {"door_service_share": 1.0}},
    )
    return kpis_of(simulate(sc, "door"))


def test_standing_consent_for_everyone_means_no_parcel_is_left_without_consent():
    assert _cutting(standing_consent_share=0.0)["violations_without_consent"] > 0
    everyone = _cutting(standing_consent_share=1.0)
    assert everyone["violations_without_consent"] == 0
    assert everyone["door_service_compliance_share"] < 1.0  # corners are still cut, with consent on file


def test_more_complaints_mean_more_fines_and_less_income():
    few, many = _cutting(complaint_share=0.0), _cutting(complaint_share=0.5)
    assert few["complaints"] == 0 and many["complaints"] > 0
    assert many["income_per_courier_day_yuan"] < few["income_per_courier_day_yuan"]
    assert many["platform_compensation_yuan"] == pytest.approx(5 * many["complaints"])


def test_calling_ahead_saves_failed_knocks():
    def kpis(share: float) -> dict[str, float]:
        sc = small_scenario(door={"phone_ahead_share": share}, variants={"door": {"door_service_share": 1.0}})
        return kpis_of(simulate(sc, "door"))

    never, often = kpis(0.0), kpis(1.0)
    assert often["door_first_attempt_success_share"] > never["door_first_attempt_success_share"]
    assert often["consented_diversions"] > never["consented_diversions"]


def test_who_buys_door_delivery_follows_price_and_value():
    def share(**choice) -> float:
        sc = small_scenario(parcels={"per_day": 2000, "door_service_choice": choice}, variants={"v": {}})
        return kpis_of(simulate(sc, "v"))["door_service_parcel_share"]

    assert share(price_yuan=0.0) > share(price_yuan=1.0) > share(price_yuan=5.0)
    assert share(value_per_log_yuan=2.0) != share(value_per_log_yuan=0.0)


def test_parcels_left_too_long_in_a_locker_go_back_to_the_counter():
    sc = small_scenario(locker={"max_storage_h": 2.0}, variants={"locker": {}})
    result = simulate(sc, "locker")  # raises ConservationError if any parcel is lost on the way
    ev = result.events
    from sim.model.tracking import Detail, Status

    moved = ev.parcel[(ev.status == Status.AT_STATION_PICKUP) & (ev.detail == Detail.EXPIRED)]
    assert len(moved) > 0
    dropped = {p: t for p, t, s in zip(ev.parcel, ev.time_s, ev.status, strict=True) if s == Status.IN_LOCKER}
    for p in moved[:50]:
        at = ev.time_s[(ev.parcel == p) & (ev.detail == Detail.EXPIRED)][0]
        assert at == pytest.approx(dropped[int(p)] + 2 * H)


def test_return_pickups_share_tours_and_are_made_at_the_door():
    none = kpis_of(simulate(small_scenario(recipients={"return_share": 0.0}, horizon={"days": 2, "drain_days": 2}), "locker"))
    many = small_scenario(recipients={"return_share": 0.5, "return_request_median_h": 4}, horizon={"days": 2, "drain_days": 2})
    result = simulate(many, "locker")
    k = kpis_of(result)
    assert none["return_requests"] == 0
    assert k["return_requests"] > 100 and 0 < k["return_pickups"] <= k["return_requests"]
    assert 0 < k["return_pickup_lead_time_p50_h"] < 48
    returns = result.activity.returns.to_pandas()
    picked = returns.dropna(subset=["picked_s"])
    assert (picked["picked_s"] >= picked["requested_s"]).all()


def test_variants_see_the_same_households_and_days():
    """Common random numbers: a household's type and whether it is home are the same in every variant."""
    sc = load_scenario(HEADLINE)
    from sim.world.districts import build_city

    city = build_city(sc.city, sc.station, sc.seed, 0)
    streams = Streams(sc.seed, 2)
    for name in ("door", "locker"):
        resolved = sc.resolved(name)
        h = Households.of(resolved, n_households=city.n_households, streams=streams)
        home = [h.is_home(x, 10.5 * H) for x in range(500)]
        if name == "door":
            first, types = home, h.type.copy()
        else:
            assert home == first and np.array_equal(h.type, types)


BAD = {
    "probability above one": ("recipients: {answers_phone_share: 1.5}", ["recipients.answers_phone_share", "1.5"]),
    "profile of the wrong length": (
        "recipients: {household_types: {all: {share: 1, home_working_day: [0.5, 0.5], home_weekend: "
        + str([0.5] * 24)
        + ", pickup_by_hour: "
        + str([1] * 24)
        + "}}}",
        ["recipients.household_types.all.home_working_day", "24 values"],
    ),
    "NaN in a profile": (
        "recipients: {household_types: {all: {share: 1, home_working_day: "
        + str([0.5] * 23 + [".nan"]).replace("'", "")
        + ", home_weekend: "
        + str([0.5] * 24)
        + ", pickup_by_hour: "
        + str([1] * 24)
        + "}}}",
        ["home_working_day", "finite"],
    ),
    "shares of types not summing to one": (
        "recipients: {household_types: {a: {share: 0.5, home_working_day: "
        + str([0.5] * 24)
        + ", home_weekend: "
        + str([0.5] * 24)
        + ", pickup_by_hour: "
        + str([1] * 24)
        + "}}}",
        ["recipients.household_types", "sum to 1"],
    ),
    "unknown compliance policy": (
        "couriers: {compliance: {policy: nap}}",
        ["couriers.compliance.policy", "'nap'", "time_pressure"],
    ),
    "when-out shares not summing to one": ("recipients: {when_out: {locker: 0.9}}", ["recipients.when_out", "sum to 1"]),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_behaviour_parameters_exit_2_naming_the_field(case, tmp_path, capsys):
    text, fragments = BAD[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
