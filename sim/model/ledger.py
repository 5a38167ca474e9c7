"""The ledger of one station area's run: the only place where a parcel's fate is recorded.

Every status change goes through an intent method (``loaded``, ``delivered``,
``dropped_in_locker``, ``handed_in``, ``shelved``, ``failed``, ``returned``, ``brought_back`` ...), which writes
the tracking log and keeps the conservation counters in the same step, so the counters and the
log cannot disagree unless a method is wrong. Courier activity is recorded here too, as typed
rows built by keyword and handed over as typed tables (``sim.model.activity``).
"""

from __future__ import annotations

from itertools import chain

import numpy as np

from ..world.places import Place
from .activity import Activity, DayRow, Days, PickupDays, ReturnRow, Returns, StopParts, StopRow, Stops, TourRow, Tours
from .tracking import Detail, EventLog, EventTable, Status

__all__ = ["Ledger"]

# What happens to a parcel after it was left for collection, known when it is left.
_COLLECT, _RETURN = 0, 1


class Ledger:
    """Tracking log, courier activity, pending pick-ups and conservation counters of one run."""

    def __init__(self, door_service: np.ndarray) -> None:
        self.log = EventLog()
        self._door_service = door_service  # service class of each parcel, for the log's service column
        self.tours: list[TourRow] = []
        self.stops: list[StopRow] = []
        self.days: list[DayRow] = []
        self._stop_parts: list[tuple[int, int, list[float]]] = []  # (courier, place, flat parts) per stop
        # The pick-ups and returns to come, a list per column (when, parcel, place, _COLLECT or
        # _RETURN, detail): a tuple each would be an object the garbage collector walks through.
        self._after: tuple[list[float], list[int], list[int], list[int], list[int]] = ([], [], [], [], [])
        self._after_seen = -1  # how many of them ``_after_arrays`` holds
        self._after_arrays: tuple[np.ndarray, ...] = ()  # ``_after`` as columns (``_after_columns``)
        self._returns: list[ReturnRow] = []  # picked_s NaN until picked up
        self._delivered_to_door = 0
        self._returned = 0  # after the last failed door attempt
        self._returned_uncollected = 0  # of the parcels whose move from an expired locker found no room
        self._on_vehicle = 0

    # --- conservation counters, read-only ---------------------------------------------------
    @property
    def delivered_to_door(self) -> int:
        return self._delivered_to_door

    @property
    def returned_count(self) -> int:
        """Parcels returned to the sender so far: after the last door attempt, or never collected
        (those whose return is still ahead are counted by ``returned_uncollected_by``)."""
        return self._returned + self._returned_uncollected

    @property
    def on_vehicle(self) -> int:
        """Parcels loaded and not yet handed over or brought back to the station."""
        return self._on_vehicle

    def collected_by(self, time_s: float) -> int:
        """Parcels collected by their recipients from a pick-up point up to ``time_s``."""
        return self._after_by(time_s, _COLLECT)

    def returned_uncollected_by(self, time_s: float) -> int:
        """Parcels a pick-up point sends back to the sender, never collected, up to ``time_s``."""
        return self._after_by(time_s, _RETURN)

    def _after_by(self, time_s: float, kind: int) -> int:
        when, _, _, kinds, _ = self._after_columns()
        return int(np.count_nonzero((when <= time_s) & (kinds == kind)))

    def _after_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The pick-ups and returns to come as columns: when, parcel, place, kind, detail."""
        when, *others = self._after
        if len(when) != self._after_seen:  # worked out again only when more have come
            self._after_seen = len(when)
            self._after_arrays = (np.array(when, dtype=np.float64), *(np.array(c, dtype=np.int64) for c in others))
        when_s, parcels, places, kinds, details = self._after_arrays
        return when_s, parcels, places, kinds, details

    # --- intents ----------------------------------------------------------------------------
    def arrived(self, time_s: np.ndarray, parcels: np.ndarray) -> None:
        """Parcels reach the station on the linehaul trucks."""
        self.log.add_many(time_s, parcels, Status.AT_STATION, Place.STATION)

    def loaded(self, parcels: list[int], time_s: float, courier: int) -> None:
        """Parcels leave the station on a courier's tricycle."""
        self.log.add_each(time_s, parcels, Status.OUT_FOR_DELIVERY, courier)
        self._on_vehicle += len(parcels)

    def delivered(self, parcel: int, time_s: float, courier: int, place: int, detail: Detail = Detail.NONE) -> None:
        """Handed over at the door (``Detail.NEIGHBOUR``: to a neighbour, as the recipient asked)."""
        self.log.add(time_s, parcel, Status.DELIVERED, courier, place, detail)
        self._delivered_to_door += 1
        self._on_vehicle -= 1

    def dropped_in_locker(self, parcel: int, time_s: float, courier: int, place: int, detail: Detail) -> None:
        """Put in a locker slot, from the tricycle (the pick-up network follows it from there)."""
        self.log.add(time_s, parcel, Status.IN_LOCKER, courier, place, detail)
        self._on_vehicle -= 1

    def handed_in(self, parcel: int, time_s: float, courier: int, place: int, detail: Detail) -> None:
        """Left at a community pick-up station (驿站), from the tricycle."""
        self.log.add(time_s, parcel, Status.AT_STATION_PICKUP, courier, place, detail)
        self._on_vehicle -= 1

    def shelved(self, parcel: int, time_s: float, courier: int, detail: Detail) -> None:
        """Left at the franchise station's own counter for collection. The parcel is at the station
        already: never loaded, or brought back (``brought_back``)."""
        self.log.add(time_s, parcel, Status.AT_STATION_PICKUP, courier, Place.STATION, detail)

    def moved_expired(self, parcel: int, time_s: float, place: int) -> None:
        """Taken from a locker at its storage limit to the 驿站 at ``place``."""
        self.log.add(time_s, parcel, Status.AT_STATION_PICKUP, -1, place, Detail.EXPIRED)

    def returned_uncollected_now(self, parcel: int, time_s: float) -> None:
        """Returned to the sender from an expired locker: its 驿站 had no room."""
        self.log.add(time_s, parcel, Status.RETURNED, -1, Place.STATION, Detail.UNCOLLECTED)
        self._returned_uncollected += 1

    def will_be_collected(self, parcel: int, time_s: float, place: int, source: Detail) -> None:
        """The recipient collects the parcel at ``time_s`` from the point at ``place`` (``source``:
        ``Detail.FROM_LOCKER`` ...); logged at the end, if it happens within the run."""
        self._will(time_s, parcel, place, _COLLECT, int(source))

    def will_be_returned_uncollected(self, parcel: int, time_s: float) -> None:
        """Nobody collects the parcel: its pick-up point returns it to the sender at ``time_s``."""
        self._will(time_s, parcel, Place.STATION, _RETURN, int(Detail.UNCOLLECTED))

    def _will(self, time_s: float, parcel: int, place: int, kind: int, detail: int) -> None:
        when, parcels, places, kinds, details = self._after
        when.append(time_s)
        parcels.append(parcel)
        places.append(place)
        kinds.append(kind)
        details.append(detail)

    def failed(self, parcel: int, time_s: float, courier: int, place: int, detail: Detail) -> None:
        """A delivery attempt that did not leave the parcel (nobody home, locker full); it stays on board."""
        self.log.add(time_s, parcel, Status.DELIVERY_FAILED, courier, place, detail)

    def brought_back(self, count: int) -> None:
        """Parcels come back to the station on the tricycle after a tour, to be shelved or tried again."""
        self._on_vehicle -= count

    def carried_back(self, parcels: list[int], time_s: float, courier: int, why: Detail = Detail.CARRIED_OVER) -> None:
        """Parcels come back to the station unserved, to go out on a later day: the working day
        ended (``CARRIED_OVER``), or no pick-up point had room (``NO_ROOM``)."""
        self.log.add_each(time_s, parcels, Status.AT_STATION, courier, Place.STATION, why)
        self._on_vehicle -= len(parcels)

    def complained(self, parcel: int, time_s: float, courier: int) -> None:
        """The recipient complained about how the courier left the parcel."""
        self.log.add(time_s, parcel, Status.COMPLAINT, courier)

    def return_requested(self, parcel: int, household: int, courier: int, time_s: float) -> int:
        """A buyer asks for a return to be picked up at the door; returns the request's number."""
        request = len(self._returns)
        self._returns.append(ReturnRow(request, parcel, household, courier, time_s, float("nan")))
        return request

    def return_household(self, request: int) -> int:
        return self._returns[request].household

    def return_picked(self, request: int, time_s: float) -> None:
        """The courier picked the return up at the door."""
        self._returns[request] = self._returns[request]._replace(picked_s=time_s)

    def returned(self, parcel: int, time_s: float, courier: int) -> None:
        """Sent back to the sender after the last failed attempt."""
        self.log.add(time_s, parcel, Status.RETURNED, courier, Place.STATION, Detail.MAX_ATTEMPTS)
        self._returned += 1

    def record_tour(self, row: TourRow) -> None:
        self.tours.append(row)

    def record_stop(self, row: StopRow) -> None:
        self.stops.append(row)

    def record_stop_parts(self, courier: int, place: int, parts: list[float]) -> None:
        """When each part of a stop happened: start, end, StopPart of each in time order, flat."""
        if parts:
            self._stop_parts.append((courier, place, parts))

    def record_day(self, row: DayRow) -> None:
        self.days.append(row)

    # --- closing the books ------------------------------------------------------------------
    def log_pickups_until(self, horizon_s: float) -> None:
        """Log every pick-up (and every return of a parcel never collected) that happens by the
        horizon, in time order."""
        if not self._after[0]:
            return
        when, parcel, place, kind, detail = self._after_columns()
        order = np.argsort(when, kind="stable")
        if np.any(when[order[1:]] == when[order[:-1]]):  # a moment shared: the order of the sorted tuples
            order = np.lexsort((detail, kind, place, parcel, when))
        order = order[when[order] <= horizon_s]
        status = np.where(kind[order] == _COLLECT, int(Status.PICKED_UP), int(Status.RETURNED))
        self.log.add_many(when[order], parcel[order], status, place[order], courier=-1, detail=detail[order])

    def events(self, station: int) -> EventTable:
        return self.log.table(station, self._door_service)

    def activity(self, station: int, pickup_days: PickupDays) -> Activity:
        """The courier activity tables of this run, for station area ``station`` (with the pick-up
        points' days, which the pick-up network keeps)."""
        counts = [len(parts) // 3 for _, _, parts in self._stop_parts]
        n_rows = sum(counts)
        flat = chain.from_iterable(parts for _, _, parts in self._stop_parts)
        rows = np.fromiter(flat, dtype=np.float64, count=3 * n_rows).reshape(-1, 3)
        stop_parts = StopParts(
            courier=np.repeat(np.array([c for c, _, _ in self._stop_parts], dtype=np.int64), counts),
            place=np.repeat(np.array([p for _, p, _ in self._stop_parts], dtype=np.int64), counts),
            start_s=rows[:, 0].copy(),
            end_s=rows[:, 1].copy(),
            part=rows[:, 2].astype(np.int64),
            station=np.full(len(rows), station, dtype=np.int64),
        )
        return Activity(
            tours=Tours.from_rows(self.tours, station=station),
            stops=Stops.from_rows(self.stops, station=station),
            days=Days.from_rows(self.days, station=station),
            returns=Returns.from_rows(self._returns, station=station),
            stop_parts=stop_parts,
            pickup_days=pickup_days,
        )
