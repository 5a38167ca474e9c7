"""Locker banks whose slots free up at known pick-up times: no SimPy process needed.

A slot taken at time t by a parcel collected at time r is busy on [t, r). Each bank keeps, per
slot size, a heap of the times its busy slots free up; a query at time t first releases every
slot freed by then. Queries must come in non-decreasing time per bank, which the event loop
guarantees.
"""

from __future__ import annotations

import heapq

import numpy as np

__all__ = ["LockerBanks"]

# A parcel of size s fits slots of size s or larger (S=0, M=1, L=2); the smallest free one is used.
_FITTING_SLOTS = {0: (0, 1, 2), 1: (1, 2), 2: (2,)}


class LockerBanks:
    """Occupancy of every locker bank, by slot size."""

    def __init__(self, slots: np.ndarray) -> None:
        self.capacity = np.asarray(slots, dtype=np.int64)  # (banks, 3)
        self._busy: list[list[list[float]]] = [[[] for _ in range(3)] for _ in range(len(self.capacity))]
        self._last_query = np.full(len(self.capacity), -np.inf)

    def try_drop(self, bank: int, size: int, time_s: float, release_s: float) -> bool:
        """Put a parcel in the smallest free fitting slot until ``release_s``; False if none is free."""
        if time_s < self._last_query[bank]:
            raise RuntimeError("locker queries must come in time order")
        self._last_query[bank] = time_s
        for slot_size in _FITTING_SLOTS[size]:
            heap = self._busy[bank][slot_size]
            while heap and heap[0] <= time_s:
                heapq.heappop(heap)
            if len(heap) < self.capacity[bank, slot_size]:
                heapq.heappush(heap, release_s)
                return True
        return False

    def occupied_at(self, time_s: float) -> int:
        """Parcels in all banks at ``time_s`` (for the end-of-run accounting)."""
        return sum(sum(1 for r in heap if r > time_s) for bank in self._busy for heap in bank)
