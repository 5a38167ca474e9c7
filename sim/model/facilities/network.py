"""The pick-up network of a station area: every place a parcel can be left for its recipient.

Locker banks and community pick-up stations (驿站) of the district, shared with other networks,
and the franchise station's own counter where the scenario makes it a pick-up point. The network
decides nothing about routes or couriers: it answers "is there room?", takes a parcel in, and
follows it until it is collected, moved (a locker's storage limit: to the compound's 驿站) or
returned to the sender uncollected, telling the ledger each step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...core.units import SECONDS_PER_DAY, SECONDS_PER_HOUR
from ...world.places import Place
from ..activity import PickupDay, PickupDays
from ..tracking import Detail
from .pickup import LOCKER_FITS, SHELF_FITS, PickupKind, PickupPoint
from .recipients import collect_times, skipped_days

if TYPE_CHECKING:
    from ...core.streams import Streams
    from ...scenario.schema import Scenario
    from ...world import City
    from ..demand import Parcels
    from ..ledger import Ledger
    from .recipients import Households, ParcelChances
    from .returns import ReturnRequests

__all__ = ["PickupNetwork"]

_FROM = (Detail.FROM_LOCKER, Detail.FROM_PICKUP_STATION, Detail.FROM_COUNTER)  # by PickupKind
# Plain ints for the per-parcel path: comparing with an IntEnum's members is slow.
_LOCKER, _PICKUP_STATION = int(PickupKind.LOCKER), int(PickupKind.PICKUP_STATION)
_OTHER_NETWORKS_H = (8.0, 19.0)  # other networks' couriers leave their parcels in these hours (A34)


class PickupNetwork:
    """The locker banks, 驿站 and (optionally) the counter of one station area."""

    def __init__(
        self,
        scenario: Scenario,
        city: City,
        parcels: Parcels,
        *,
        ledger: Ledger,
        chances: ParcelChances,
        households: Households,
        returns: ReturnRequests,
        streams: Streams,
        days: int,
    ) -> None:
        self.city = city
        self._parcels = parcels
        self._sizes = parcels.size.tolist()
        self._compounds = parcels.compound_at  # the couriers' view of the same array
        self._returns = returns
        self._ledger = ledger
        self._chances = chances
        self._locker = scenario.locker
        self._pickup = scenario.pickup_station
        self._counter_cfg = scenario.station.counter
        self._min_delay_s = scenario.recipients.pickup_min_delay_h * SECONDS_PER_HOUR
        self._skip_share = scenario.recipients.pickup_skip_day_share
        # How long each kind of point keeps a parcel before giving up on it (s), by PickupKind.
        self._limit_by_kind = (
            self._locker.max_storage_h * SECONDS_PER_HOUR,
            self._pickup.keep_days * SECONDS_PER_DAY,
            self._counter_cfg.keep_days * SECONDS_PER_DAY,
        )
        self._days = days
        self.banks = [
            PickupPoint(PickupKind.LOCKER, i, int(place), city.locker_slots[i], days, LOCKER_FITS)
            for i, place in enumerate(city.bank_place)
        ]
        shelves = np.where(city.pickup_shelves > 0, city.pickup_shelves, self._pickup.shelves)
        self.stations = [
            PickupPoint(PickupKind.PICKUP_STATION, i, int(place), np.array([shelves[i]]), days, SHELF_FITS)
            for i, place in enumerate(city.pickup_place)
        ]
        counter = self._counter_cfg
        self.counter = (
            PickupPoint(PickupKind.COUNTER, 0, Place.STATION, np.array([counter.shelves]), days, SHELF_FITS)
            if counter.pickup
            else None
        )
        self._hours = {
            PickupKind.PICKUP_STATION: (self._pickup.opens_h, self._pickup.closes_h),
            PickupKind.COUNTER: (counter.opens_h, counter.closes_h),
        }
        self._near: dict[tuple[int, float], list[tuple[float, PickupPoint]]] = {}
        self._station_of = [self.stations[i] if i >= 0 else None for i in city.compound_pickup.tolist()]
        self._add_other_networks(scenario, households, streams)

    # --- where a parcel can go ----------------------------------------------------------------
    def bank_at(self, place: int) -> PickupPoint | None:
        bank = int(self.city.place_bank[place])
        return self.banks[bank] if bank >= 0 else None

    def station_at(self, place: int) -> PickupPoint | None:
        station = int(self.city.place_pickup[place])
        return self.stations[station] if station >= 0 else None

    def station_of(self, compound: int) -> PickupPoint | None:
        """The 驿站 a compound's recipients use (its own, else the nearest in reach), if any."""
        return self._station_of[compound]

    def banks_near(self, place: int, walk_m: float) -> list[tuple[float, PickupPoint]]:
        """Other banks within ``walk_m`` by road of ``place``, nearest first, with their distance."""
        key = (place, walk_m)
        near = self._near.get(key)
        if near is None:
            d = self.city.place_dist_m[place, self.city.bank_place] if self.banks else np.zeros(0)
            order = np.argsort(d, kind="stable")
            near = self._near[key] = [
                (float(d[i]), self.banks[i]) for i in order if d[i] <= walk_m and self.city.bank_place[i] != place
            ]
        return near

    def takes_in(self, point: PickupPoint, time_s: float) -> bool:
        """Does a 驿站 (or the counter) take parcels in from couriers at ``time_s``?"""
        hour = (time_s % SECONDS_PER_DAY) / SECONDS_PER_HOUR
        if point.kind == PickupKind.PICKUP_STATION:
            return self._pickup.checkin_from_h <= hour < self._pickup.closes_h
        return True  # the station's own counter: whenever the courier is at the station

    # --- leaving a parcel ---------------------------------------------------------------------
    def leave(
        self, parcel: int, point: PickupPoint, time_s: float, *, courier: int, detail: Detail, claimed_s: float | None = None
    ) -> int | None:
        """Leave one of our parcels at ``point`` at ``time_s`` if it has room (claimed at ``claimed_s``,
        when the courier's session at the point began): log it, follow it until it leaves again.
        Returns the slot pool it took (None: no room)."""
        claimed = time_s if claimed_s is None else claimed_s
        pool = point.claim(claimed, self._sizes[parcel])
        if pool is None:
            return None  # no room: when the recipient would have collected it is never asked
        kind = point.kind_index
        collect = self._chances.collect_time(parcel, time_s, kind)
        limit = time_s + self._limit_by_kind[kind]
        point.hold(claimed, pool, min(collect, limit), collect <= limit)
        ledger = self._ledger
        if kind == _LOCKER:
            ledger.dropped_in_locker(parcel, time_s, courier, point.place, detail)
        elif kind == _PICKUP_STATION:
            ledger.handed_in(parcel, time_s, courier, point.place, detail)
        else:
            ledger.shelved(parcel, time_s, courier, detail)
        if collect <= limit:
            ledger.will_be_collected(parcel, collect, point.place, _FROM[kind])
            self._returns.in_hands(parcel, collect)
        elif kind == _LOCKER:
            self._move_when_expired(parcel, limit)
        else:
            ledger.will_be_returned_uncollected(parcel, limit)
        return pool

    def collect_time(self, parcel: int, ready_s: float, kind: PickupKind) -> float:
        """When the recipient would collect the parcel from a point of ``kind`` (for tours' plans)."""
        return self._chances.collect_time(parcel, ready_s, kind)

    def _move_when_expired(self, parcel: int, expire_s: float) -> None:
        """A parcel still in its locker at the storage limit is taken to its compound's 驿站 (if it
        has room then), else returned to the sender."""
        target = self.station_of(self._compounds[parcel])
        size = self._sizes[parcel]
        if target is None:
            self._ledger.will_be_returned_uncollected(parcel, expire_s)
            return
        station = target

        def resolve(taken: bool, pool: int) -> float | None:
            if not taken:
                self._ledger.returned_uncollected_now(parcel, expire_s)
                return None
            self._ledger.moved_expired(parcel, expire_s, station.place)
            collect = self._chances.collect_time(parcel, expire_s, PickupKind.PICKUP_STATION)
            limit = expire_s + self._limit_by_kind[_PICKUP_STATION]
            if collect <= limit:
                self._ledger.will_be_collected(parcel, collect, station.place, Detail.FROM_PICKUP_STATION)
                self._returns.in_hands(parcel, collect)
                return collect
            self._ledger.will_be_returned_uncollected(parcel, limit)
            return -limit

        station.add_arrival(expire_s, size, resolve)

    # --- other networks' parcels --------------------------------------------------------------
    def _add_other_networks(self, scenario: Scenario, households: Households, streams: Streams) -> None:
        """Every day, other networks' parcels arrive at each bank and 驿站 in their couriers' hours,
        about ``background_share_per_day`` of its capacity (Poisson), and are collected by the
        households of its compound at their own hours (the same draws in every variant).

        Each point draws from its own stream (adding a bank changes no other point's parcels); what
        follows from the draws is worked out for all points of a kind at once."""
        city = self.city
        shares = [scenario.parcels.size_shares.S, scenario.parcels.size_shares.M, scenario.parcels.size_shares.L]
        size_cdf = np.cumsum(shares)
        size_cdf /= size_cdf[-1]
        # The households of each compound, in index order: ``by_compound[starts[c]:starts[c + 1]]``.
        household_compound = city.building_compound[city.household_building]
        by_compound = np.argsort(household_compound, kind="stable")
        starts = np.searchsorted(household_compound[by_compound], np.arange(len(city.building_compound) + 1))
        start_h, end_h = _OTHER_NETWORKS_H
        for kind, points, share in (
            (PickupKind.LOCKER, self.banks, self._locker.background_share_per_day),
            (PickupKind.PICKUP_STATION, self.stations, self._pickup.background_share_per_day),
        ):
            if share <= 0:
                continue
            drawn: list[tuple[PickupPoint, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []  # point, sizes, arrive, who, u
            for point in points:
                rng = streams.generator(f"other_networks/{kind.name.lower()}/{point.index}")
                per_day = share * point.capacity  # by slot pool
                counts = rng.poisson(per_day, size=(self._days, len(per_day)))
                n = int(counts.sum())
                if n == 0:
                    continue
                if kind == PickupKind.LOCKER:
                    sizes = np.repeat(np.tile(np.arange(len(per_day)), self._days), counts.ravel())
                else:
                    sizes = size_cdf.searchsorted(rng.random(n), side="right")  # as rng.choice(3, n, p=shares) draws
                day = np.repeat(np.repeat(np.arange(self._days), len(per_day)), counts.ravel())
                arrive = day * SECONDS_PER_DAY + rng.uniform(start_h, end_h, size=n) * SECONDS_PER_HOUR
                compound = Place.compound(point.place)
                mine = by_compound[starts[compound] : starts[compound + 1]]
                who = mine[rng.integers(0, len(mine), size=n)] if len(mine) else np.zeros(n, dtype=np.int64)
                u = rng.random((3, n))  # the pick-up hour, minute, days let pass (as three draws of n in turn)
                drawn.append((point, sizes, arrive, who, u))
            if not drawn:
                continue
            arrive = np.concatenate([d[2] for d in drawn])
            who = np.concatenate([d[3] for d in drawn])
            u = np.concatenate([d[4] for d in drawn], axis=1)
            time_of_day = households.pickup_offsets_s(who, u[0], u[1], int(kind))
            collect = collect_times(arrive, self._min_delay_s, time_of_day, skipped_days(u[2], self._skip_share))
            limit = arrive + self._limit_by_kind[kind]
            release, collected = np.minimum(collect, limit), collect <= limit
            at = 0
            for point, sizes, mine_arrive, _, _ in drawn:
                part = slice(at, at + len(sizes))
                at += len(sizes)
                order = np.argsort(mine_arrive, kind="stable")
                point.add_background(mine_arrive[order], sizes[order], release[part][order], collected[part][order])

    # --- the end of the run -------------------------------------------------------------------
    def finish(self, horizon_s: float) -> None:
        """Catch every point up with the end of the run: arrivals, moves and collections due by then."""
        for point in self.points():
            point.finish(horizon_s)

    def points(self) -> list[PickupPoint]:
        return [*self.banks, *self.stations, *([self.counter] if self.counter is not None else [])]

    def held(self, kind: PickupKind) -> int:
        """Our parcels held at points of ``kind`` (after ``finish``: at the end of the run)."""
        return sum(p.ours_held() for p in self.points() if p.kind == kind)

    def table(self, station: int) -> PickupDays:
        """The ``pickup_days`` table: every point's day, its capacity, peaks, our drops by slot pool,
        refusals, other networks' parcels and collections."""
        rows: list[PickupDay] = []
        for point in self.points():
            capacity = int(point.capacity.sum())
            for day in range(self._days + 1):
                drops = point.drops[day]
                rows.append(
                    PickupDay(
                        kind=int(point.kind),
                        point=point.index,
                        place=point.place,
                        day=day,
                        capacity=capacity,
                        peak=int(point.peak[day]),
                        peak_ours=int(point.peak_ours[day]),
                        drops_slot_s=int(drops[0]),
                        drops_slot_m=int(drops[1]) if len(drops) > 1 else 0,
                        drops_slot_l=int(drops[2]) if len(drops) > 2 else 0,
                        refused=int(point.refused[day]),
                        background_in=int(point.background_in[day]),
                        background_refused=int(point.background_refused[day]),
                        collections=int(point.collections[day]),
                    )
                )
        return PickupDays.from_rows(rows, station=station)
