"""Recipients: households with daily rhythms, who answer the phone, consent, collect and complain.

Each household has a type (commuters, someone home all day, elderly, shift workers, ...) and a
standing consent to lockers or not, both drawn once per household from a stream that does not
depend on the replication: the district's people stay who they are. Whether someone is home
follows the type's hourly profile for the kind of day, with persistence within a day: being home
at hour h is ``a·C + b·E_h < z(p_h)``, where C is one standard normal per household and day, E_h one
per hour, a² + b² = 1 and z the normal quantile. Every hour's probability is the profile's exactly,
and any two hours of a day are correlated through C (a household away at 10:00 is likely away at
12:00). Every answer is a counter-based draw keyed by the household or the parcel, so the same
person behaves the same way in every variant of a replication (common random numbers). A station
area draws the presence of the households it has parcels for a day at a time, in arrays (drawn one
at a time in Python, they took a third of a door visit's time); the numbers are those of drawing
each when asked.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from scipy.special import ndtri

from ...core.streams import Streams
from ...core.units import SECONDS_PER_DAY, SECONDS_PER_HOUR
from ...scenario.schema import RecipientConfig, Scenario
from ..tracking import stable_order

__all__ = ["PICKUP_KINDS", "WHEN_OUT_CHOICES", "Households", "ParcelChances", "collect_times", "skipped_days"]

PICKUP_KINDS = ("locker", "pickup_station", "counter")  # sim.model.facilities.pickup.PickupKind, in order

WHEN_OUT_CHOICES = ("locker", "station", "neighbour", "later")
_NORMAL = NormalDist()
_WEEKEND = (5, 6)


def _quantile(p: float) -> float:
    """The standard normal quantile, with the certain cases at ±infinity."""
    if p <= 0.0:
        return -math.inf
    if p >= 1.0:
        return math.inf
    return _NORMAL.inv_cdf(p)


def _normal(u: np.ndarray) -> np.ndarray:
    """Standard normals from uniforms (the presence draws'; ``_normal1`` for one: the same numbers,
    so a household's presence is the same whichever way it was drawn)."""
    return ndtri(np.clip(u, 1e-15, 1 - 1e-15))


def _normal1(u: float) -> float:
    return float(ndtri(min(max(u, 1e-15), 1 - 1e-15)))


class Households:
    """The households of one station area and how each of them behaves."""

    def __init__(
        self,
        cfg: RecipientConfig,
        pickup_hours: dict[int, tuple[float, float]],
        *,
        n_households: int,
        streams: Streams,
        people: Streams,
        start_weekday: int = 0,
    ) -> None:
        self._cfg = cfg
        self._streams = streams
        self._start_weekday = start_weekday
        types = list(cfg.household_types.values())
        self.type_names = list(cfg.household_types)
        ids = np.arange(n_households)
        cumulative = np.cumsum([t.share for t in types])
        self.type = np.minimum(np.searchsorted(cumulative, people.uniform("household_type", ids), side="right"), len(types) - 1)
        self.standing_consent = people.uniform("standing_consent", ids) < cfg.standing_consent_share
        self.door_service_utility = np.array([t.door_service_utility for t in types])[self.type]
        # Thresholds on the latent normal scale, by type, kind of day (0 working, 1 weekend) and hour.
        self._threshold = [[[_quantile(p) for p in t.home_working_day], [_quantile(p) for p in t.home_weekend]] for t in types]
        self._threshold_array = np.array(self._threshold)  # the same, by type, kind of day, hour
        self._a = math.sqrt(cfg.presence_persistence)
        self._b = math.sqrt(1.0 - cfg.presence_persistence)
        self._n_households = n_households
        # Presence drawn a day at a time in arrays (``expect_visits``): the households' rows, the
        # first hour drawn, and each day's answers (a row's hours in turn).
        self._row: memoryview = np.full(n_households, -1, dtype=np.int64).data
        self._first_hour, self._hours = 24, 0
        self._expected = np.zeros(0, dtype=np.int64)
        self._by_day: dict[int, memoryview] = {}
        self._home: dict[int, bool] = {}  # anyone else, by household << 20 | hour of the run
        # Cumulative pick-up weights by type and kind of pick-up point (``PickupKind``): each only
        # while it is open (``pickup_hours``: opens, closes); a locker at any hour.
        self._pickup_cdf: dict[int, list[list[float]]] = {}
        for kind, (opens_h, closes_h) in pickup_hours.items():
            open_hours = [opens_h <= h < closes_h for h in range(24)]
            self._pickup_cdf[kind] = [
                _cdf([w if is_open else 0.0 for w, is_open in zip(t.pickup_by_hour, open_hours, strict=True)]) or _cdf(open_hours)
                for t in types
            ]

    @classmethod
    def of(cls, scenario: Scenario, *, n_households: int, streams: Streams) -> Households:
        """The households of a scenario's station area: recipients' behaviour, the pick-up points'
        opening hours, the weekday of day 0; who each household is does not change between
        replications (``streams.lasting()``)."""
        counter, station = scenario.station.counter, scenario.pickup_station
        hours = {0: (0.0, 24.0), 1: (station.opens_h, station.closes_h), 2: (counter.opens_h, counter.closes_h)}
        return cls(
            scenario.recipients,
            hours,
            n_households=n_households,
            streams=streams,
            people=streams.lasting(),
            start_weekday=scenario.horizon.start_weekday,
        )

    # --- presence ---------------------------------------------------------------------------
    def expect_visits(self, households: np.ndarray, from_hour: int) -> None:
        """The households couriers may knock at and the first hour of the day they work: their
        presence is drawn a day at a time, in arrays, when first asked; anyone else's, or at an
        earlier hour, when asked. The answers are the same either way."""
        self._expected = np.unique(np.asarray(households, dtype=np.int64))
        row = np.full(self._n_households, -1, dtype=np.int64)
        row[self._expected] = np.arange(len(self._expected))
        self._row = row.data
        self._first_hour, self._hours = from_hour, 24 - from_hour
        self._by_day.clear()

    def is_home(self, household: int, time_s: float) -> bool:
        """Is anybody home at this household at this time?"""
        hours = int(time_s // SECONDS_PER_HOUR)
        day, hour = divmod(hours, 24)
        row = self._row[household]
        if row >= 0 and hour >= self._first_hour:
            today = self._by_day.get(day)
            if today is None:
                today = self._by_day[day] = self._presence(self._expected, day, np.arange(self._first_hour, 24)).ravel().data
            return bool(today[row * self._hours + hour - self._first_hour])
        key = household << 20 | hours  # one integer per household and hour of the run
        home = self._home.get(key)
        if home is None:  # as ``_presence`` draws it, one number at a time
            factor = _normal1(self._streams.uniform1("home_day", household << 20 | day))
            hourly = _normal1(self._streams.uniform1("home_hour", key))
            kind = int((day + self._start_weekday) % 7 in _WEEKEND)
            home = self._home[key] = self._a * factor + self._b * hourly < self._threshold[int(self.type[household])][kind][hour]
        return home

    def _presence(self, households: np.ndarray, day: int, hours: np.ndarray) -> np.ndarray:
        """Whether anybody is home at each of ``households`` (rows) at each of ``hours`` of ``day``
        (columns): ``a·C + b·E_h < z(p_h)``, C one normal per household and day, E_h one per hour."""
        factor = _normal(self._streams.uniform("home_day", households << 20 | day))
        hourly = _normal(self._streams.uniform("home_hour", households[:, None] << 20 | (day * 24 + hours)[None, :]))
        kind = int((day + self._start_weekday) % 7 in _WEEKEND)
        threshold = self._threshold_array[self.type[households], kind][:, hours]
        return np.ascontiguousarray(self._a * factor[:, None] + self._b * hourly < threshold)

    # --- consent and collecting ---------------------------------------------------------------
    def consents(self, household: int) -> bool:
        """After a failed knock, does the recipient agree on the phone to a locker or the counter?"""
        return self._streams.uniform1("consent", household) < self._cfg.consent_share

    def pickup_offsets_s(self, households: np.ndarray, u_hour: np.ndarray, minute: np.ndarray, kind: int) -> np.ndarray:
        """The time of day (s) each recipient comes to collect from a pick-up point of ``kind``: an
        hour drawn from the type's pick-up profile (only while that kind of point is open), and a
        minute within it."""
        hours = np.zeros(len(households))
        types = self.type[households]
        by_type = stable_order(types)  # the recipients of each type together, found in one radix sort
        cdfs = self._pickup_cdf[kind]
        bounds = np.searchsorted(types[by_type], np.arange(len(cdfs) + 1)).tolist()
        for household_type, cdf in enumerate(cdfs):
            mine = by_type[bounds[household_type] : bounds[household_type + 1]]
            hours[mine] = np.minimum(np.searchsorted(cdf, u_hour[mine] * cdf[-1], side="right"), 23)
        return (hours + minute) * SECONDS_PER_HOUR


class ParcelChances:
    """Every chance decision about the parcels of one station area, drawn up front in blocks: whether
    the courier calls ahead, whether the recipient answers and what they ask for, whether a
    courier under pressure cuts the corner, whether the buyer complains or asks for a return, when
    they collect. Each draw is keyed by the parcel's key (and the attempt), so the same parcel meets
    the same luck in every variant (common random numbers)."""

    def __init__(
        self,
        cfg: RecipientConfig,
        keys: np.ndarray,
        households: np.ndarray,
        *,
        people: Households,
        attempts: int,
        streams: Streams,
    ) -> None:
        k, a = np.asarray(keys, dtype=np.int64)[:, None], np.arange(attempts)[None, :]
        self._min_delay_s = cfg.pickup_min_delay_h * SECONDS_PER_HOUR
        # Per parcel and attempt.
        self.phone_ahead_u = streams.uniform("phone_ahead", k, a)
        self.answers = streams.uniform("answers", k, a) < cfg.answers_phone_share
        self.when_out = _choices(streams.uniform("when_out", k, a), cfg)  # index into WHEN_OUT_CHOICES
        self.cut_u = streams.uniform("cut_corner", k, a)
        # Per parcel.
        self.complains = streams.uniform("complaint", keys) < cfg.complaint_share
        self.returns = streams.uniform("returns", keys) < cfg.return_share
        z = ndtri(np.clip(streams.uniform("return_delay", keys), 1e-15, 1 - 1e-15))
        self.return_delay_s = cfg.return_request_median_h * SECONDS_PER_HOUR * np.exp(0.8 * z)
        # Per parcel and kind of pick-up point it may be collected from (``PickupKind``): the time
        # of day the recipient comes, and the days they let pass first (geometric: P(k or more) =
        # skip_share ** k). Read one parcel at a time through memoryviews: plain numbers, and no
        # list of objects to build and free.
        self._pickup_s: list[memoryview] = []
        self._skipped_days: list[memoryview] = []
        for kind in range(len(PICKUP_KINDS)):
            u_hour, minute, u_skip = (
                streams.uniform(name, keys, kind) for name in ("pickup_hour", "pickup_minute", "pickup_skip")
            )
            self._pickup_s.append(np.ascontiguousarray(people.pickup_offsets_s(households, u_hour, minute, kind)).data)
            self._skipped_days.append(np.ascontiguousarray(skipped_days(u_skip, cfg.pickup_skip_day_share)).data)

    def collect_time(self, parcel: int, ready_s: float, kind: int) -> float:
        """When the recipient collects the parcel from a pick-up point of ``kind``, ready there from
        ``ready_s``: at their time of day, the first such time after a short delay, and a day
        later for every day they let pass (``collect_times`` for arrays)."""
        earliest = ready_s + self._min_delay_s
        t = (earliest // SECONDS_PER_DAY) * SECONDS_PER_DAY + self._pickup_s[kind][parcel]
        if t < earliest:
            t += SECONDS_PER_DAY
        return t + self._skipped_days[kind][parcel] * SECONDS_PER_DAY


def skipped_days(u_skip: np.ndarray, skip_share: float) -> np.ndarray:
    """Days a recipient lets pass before collecting, from uniforms: geometric, P(k or more) = skip_share ** k."""
    if skip_share <= 0:
        return np.zeros(len(u_skip), dtype=np.int64)
    return np.floor(np.log(np.maximum(u_skip, 1e-300)) / np.log(skip_share)).astype(np.int64)


def collect_times(ready_s: np.ndarray, min_delay_s: float, time_of_day_s: np.ndarray, skipped: np.ndarray) -> np.ndarray:
    """``ParcelChances.collect_time`` for arrays of parcels: the first ``time_of_day_s`` at least
    ``min_delay_s`` after ``ready_s``, ``skipped`` days later."""
    earliest = ready_s + min_delay_s
    t = (earliest // SECONDS_PER_DAY) * SECONDS_PER_DAY + time_of_day_s
    return np.where(t < earliest, t + SECONDS_PER_DAY, t) + skipped * SECONDS_PER_DAY


def _choices(u: np.ndarray, cfg: RecipientConfig) -> np.ndarray:
    """What a recipient who is out asks for (an index into WHEN_OUT_CHOICES), from uniforms, by the
    shares of ``cfg.when_out``."""
    w = cfg.when_out
    edges = np.cumsum([w.locker, w.station, w.neighbour])
    return np.searchsorted(edges, u, side="right").astype(np.int8)


def _cdf(weights: list[float] | tuple[float, ...] | list[bool]) -> list[float]:
    """Cumulative sums of 24 weights (empty if they are all zero)."""
    out, total = [], 0.0
    for w in weights:
        total += float(w)
        out.append(total)
    return out if total > 0 else []
