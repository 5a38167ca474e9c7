"""The franchise station: parcels waiting to be loaded, by courier area, in loading priority; a
courier takes from the areas he serves that day (his own and those of couriers off, ``Roster``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...core.units import SECONDS_PER_DAY

if TYPE_CHECKING:
    from ..roster import Roster

__all__ = ["Station"]


class Station:
    """Parcels at the station that still have to go out, per courier.

    Loading order ``priority``: door-service parcels first, then redeliveries, then the oldest
    (by when each was first ready; a parcel carried over keeps its age);
    ``arrival``: the oldest first, whatever their class (what capacity runs use, so that the parcels
    delivered have the mix of those that arrive).
    """

    def __init__(
        self,
        ready_s: np.ndarray,
        owner: np.ndarray,
        door_service: np.ndarray,
        weight_kg: np.ndarray,
        *,
        roster: Roster,
        loading_order: str = "priority",
    ) -> None:
        # In arrival order nothing jumps the queue: the priority keys are all equal.
        self._door_service = door_service if loading_order == "priority" else np.zeros(len(ready_s), dtype=bool)
        self._first_go = loading_order == "priority"
        self._ready = ready_s  # when it first could go out: its age in the queue
        self._weight = weight_kg
        self._not_before = ready_s.copy()  # earliest load time; later for a redelivery
        self._attempts = np.zeros(len(ready_s), dtype=np.int64)
        self._owner = owner
        self._roster = roster
        couriers = roster.at_work.shape[1]
        self._pending: list[list[int]] = [[] for _ in range(couriers)]
        order = np.argsort(ready_s, kind="stable")
        for parcel, area in zip(order.tolist(), owner[order].tolist(), strict=True):
            self._pending[area].append(parcel)
        self._returns: list[list[tuple[float, int]]] = [[] for _ in range(couriers)]  # (ready, request)
        self._return_area: dict[int, int] = {}

    def pending_count(self) -> int:
        """Parcels at the station that still have to go out (for the end-of-run accounting)."""
        return sum(len(p) for p in self._pending)

    def _areas(self, courier: int, now_s: float) -> tuple[int, ...]:
        """The areas the courier serves today (his own, and those of couriers off today)."""
        return self._roster.areas(courier, int(now_s // SECONDS_PER_DAY))

    def pending_for(self, courier: int, now_s: float) -> int:
        """Parcels waiting at the station for the areas this courier serves today."""
        return sum(len(self._pending[area]) for area in self._areas(courier, now_s))

    def owner_of(self, parcel: int) -> int:
        """The courier whose area the parcel's address is in."""
        return int(self._owner[parcel])

    def add_return(self, area: int, request: int, ready_s: float) -> None:
        """A return pick-up at the door in this courier's area, from ``ready_s`` on."""
        self._return_area[request] = area
        self._returns[area].append((ready_s, request))

    def retry_return(self, request: int, ready_s: float) -> None:
        """A return pick-up not made on its tour goes out again from ``ready_s`` on."""
        self._returns[self._return_area[request]].append((ready_s, request))

    def take_returns(self, courier: int, now_s: float) -> list[int]:
        """Remove and return the return pick-ups the courier can make now, oldest first."""
        due: list[tuple[float, int]] = []
        for area in self._areas(courier, now_s):
            waiting = self._returns[area]
            if any(r[0] <= now_s for r in waiting):
                due += [r for r in waiting if r[0] <= now_s]
                self._returns[area] = [r for r in waiting if r[0] > now_s]
        return [request for _, request in sorted(due)]

    def attempts_made(self, parcel: int) -> int:
        """Failed door attempts after which the parcel came back to be loaded again."""
        return int(self._attempts[parcel])

    def take_load(self, courier: int, now_s: float, capacity: int, payload_kg: float) -> list[int]:
        """Remove and return the parcels to load now, in priority order, within capacity and payload."""
        areas = self._areas(courier, now_s)
        waiting = np.fromiter((p for area in areas for p in self._pending[area]), dtype=np.int64)
        ready = waiting[self._not_before[waiting] <= now_s]
        if not len(ready):
            return []
        # Door-service first, then (loading in priority) redeliveries, then the oldest; the parcel's
        # number breaks ties. One lexsort over the ready parcels: the last key sorts first.
        retry_last = (self._attempts[ready] == 0) if self._first_go else np.zeros(len(ready), dtype=bool)
        ready = ready[np.lexsort((ready, self._ready[ready], retry_last, self._door_service[ready] == 0))]
        load: list[int] = []
        weight = 0.0
        for p, w in zip(ready.tolist(), self._weight[ready].tolist(), strict=True):
            if len(load) == capacity:
                break
            if weight + w > payload_kg:
                continue
            load.append(p)
            weight += w
        taken = set(load)
        for area in areas:
            self._pending[area] = [p for p in self._pending[area] if p not in taken]
        return load

    def put_back(self, parcel: int, not_before_s: float) -> None:
        """A parcel comes back from a failed attempt and may go out again from ``not_before_s``."""
        self._attempts[parcel] += 1
        self.requeue(parcel, not_before_s)

    def requeue(self, parcel: int, not_before_s: float) -> None:
        """A parcel comes back unattempted and may go out from ``not_before_s``, to its own area's queue
        (whoever serves that area then takes it)."""
        self._not_before[parcel] = not_before_s
        self._pending[int(self._owner[parcel])].append(parcel)
