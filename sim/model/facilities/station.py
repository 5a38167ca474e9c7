"""The franchise station: parcels waiting to be loaded, by courier area, in loading priority."""

from __future__ import annotations

import numpy as np

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
        couriers: int,
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
        self._pending: list[list[int]] = [[] for _ in range(couriers)]
        for parcel in np.argsort(ready_s, kind="stable"):
            self._pending[int(owner[parcel])].append(int(parcel))
        self._returns: list[list[tuple[float, int]]] = [[] for _ in range(couriers)]  # (ready, request)

    def pending_count(self) -> int:
        """Parcels at the station that still have to go out (for the end-of-run accounting)."""
        return sum(len(p) for p in self._pending)

    def pending_for(self, courier: int) -> int:
        """Parcels of this courier's area waiting at the station."""
        return len(self._pending[courier])

    def owner_of(self, parcel: int) -> int:
        """The courier whose area the parcel's address is in."""
        return int(self._owner[parcel])

    def add_return(self, courier: int, request: int, ready_s: float) -> None:
        """A return pick-up at the door, for this courier's area, from ``ready_s`` on."""
        self._returns[courier].append((ready_s, request))

    def take_returns(self, courier: int, now_s: float) -> list[int]:
        """Remove and return the return pick-ups the courier can make now, oldest first."""
        due = sorted(r for r in self._returns[courier] if r[0] <= now_s)
        if due:
            self._returns[courier] = [r for r in self._returns[courier] if r[0] > now_s]
        return [request for _, request in due]

    def attempts_made(self, parcel: int) -> int:
        """Failed door attempts after which the parcel came back to be loaded again."""
        return int(self._attempts[parcel])

    def take_load(self, courier: int, now_s: float, capacity: int, payload_kg: float) -> list[int]:
        """Remove and return the parcels to load now, in priority order, within capacity and payload."""
        pending = self._pending[courier]
        ready = [p for p in pending if self._not_before[p] <= now_s]
        if not ready:
            return []
        ready.sort(key=lambda p: (not self._door_service[p], self._first_go and self._attempts[p] == 0, self._ready[p], p))
        load: list[int] = []
        weight = 0.0
        for p in ready:
            if len(load) == capacity:
                break
            if weight + self._weight[p] > payload_kg:
                continue
            load.append(p)
            weight += self._weight[p]
        taken = set(load)
        self._pending[courier] = [p for p in pending if p not in taken]
        return load

    def put_back(self, courier: int, parcel: int, not_before_s: float) -> None:
        """A parcel comes back from a failed attempt and may go out again from ``not_before_s``."""
        self._attempts[parcel] += 1
        self.requeue(courier, parcel, not_before_s)

    def requeue(self, courier: int, parcel: int, not_before_s: float) -> None:
        """A parcel comes back unattempted (the working day ended) and may go out from ``not_before_s``."""
        self._not_before[parcel] = not_before_s
        self._pending[courier].append(parcel)
