"""Every parcel accounted for: placed = in the recipient's hands + waiting for pick-up + in flight + returned.

The counts are taken twice, from the model's own state (delivery counters, locker heaps, the
station's queues) and from the tracking log (each parcel's last status); both must agree with
each other and add up to the parcels placed, or the run fails loudly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..core.errors import ConservationError
from .facilities.pickup import PickupKind
from .tracking import EventTable, Status, by_parcel

if TYPE_CHECKING:
    from .facilities.network import PickupNetwork
    from .facilities.station import Station
    from .ledger import Ledger

__all__ = ["IN_HANDS", "Accounting", "accounting_from_log", "check_conservation", "final_status", "where_they_are"]

IN_HANDS = (Status.DELIVERED, Status.PICKED_UP)
# Upstream statuses count as in flight too: the order is in the warehouse or on a truck.
_IN_FLIGHT = (
    Status.ORDER_PLACED,
    Status.PICKED,
    Status.PACKED,
    Status.SHIPPED,
    Status.AT_STATION,
    Status.OUT_FOR_DELIVERY,
    Status.DELIVERY_FAILED,
)


@dataclass(frozen=True)
class Accounting:
    """Where the parcels are at the end of the horizon."""

    placed: int
    in_hands: int
    in_locker: int
    at_station_pickup: int
    in_flight: int
    returned: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def final_status(events: EventTable, n_parcels: int) -> np.ndarray:
    """Each parcel's last status that says where it is (-1 for a parcel that never appears in the
    log); a complaint says nothing about where the parcel is and is passed over."""
    last = np.full(n_parcels, -1, dtype=np.int64)
    where = np.flatnonzero(events.status != Status.COMPLAINT)
    if len(where):
        order = by_parcel(events, where)
        parcels = events.parcel[order]
        is_last = np.r_[parcels[1:] != parcels[:-1], True]
        last[parcels[is_last]] = events.status[order][is_last]
    return last


def accounting_from_log(events: EventTable, n_parcels: int) -> Accounting:
    """Where the parcels are at the end, from the tracking log alone."""
    last = final_status(events, n_parcels)
    missing = int((last < 0).sum())
    if missing:
        raise ConservationError(f"{missing} parcels never appear in the tracking log")
    return where_they_are(last)


def where_they_are(last: np.ndarray) -> Accounting:
    """Where the parcels are, from each one's last status (``final_status``); parcels that never
    appear (-1) are not counted, not even as placed."""
    return Accounting(
        placed=int((last >= 0).sum()),
        in_hands=int(np.isin(last, IN_HANDS).sum()),
        in_locker=int((last == Status.IN_LOCKER).sum()),
        at_station_pickup=int((last == Status.AT_STATION_PICKUP).sum()),
        in_flight=int(np.isin(last, _IN_FLIGHT).sum()),
        returned=int((last == Status.RETURNED).sum()),
    )


def check_conservation(
    ledger: Ledger, network: PickupNetwork, station: Station, events: EventTable, *, n_parcels: int, horizon_s: float
) -> Accounting:
    """Compare the model's state at the horizon (the ledger's counters, the pick-up points' slots
    and shelves after ``network.finish``, the station's queues) with the log; raise on any difference."""
    from_state = Accounting(
        placed=n_parcels,
        in_hands=ledger.delivered_to_door + ledger.collected_by(horizon_s),
        in_locker=network.held(PickupKind.LOCKER),
        at_station_pickup=network.held(PickupKind.PICKUP_STATION) + network.held(PickupKind.COUNTER),
        in_flight=station.pending_count() + ledger.on_vehicle,
        returned=ledger.returned_count + ledger.returned_uncollected_by(horizon_s),
    )
    from_log = accounting_from_log(events, n_parcels)
    total = from_log.in_hands + from_log.in_locker + from_log.at_station_pickup + from_log.in_flight + from_log.returned
    if from_state != from_log or total != from_log.placed:
        raise ConservationError(
            "parcels are not conserved: "
            f"model state {from_state.as_dict()} vs tracking log {from_log.as_dict()} (log total {total})"
        )
    return from_log
