"""Return pick-ups at the door (上门取件): who asks for one, and when, once a parcel is in their hands."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..demand import Parcels
    from ..ledger import Ledger
    from .recipients import ParcelChances
    from .station import Station

__all__ = ["ReturnRequests"]


class ReturnRequests:
    """Some buyers ask for a return pick-up at the door a while after receiving the parcel (A28):
    the request goes to the courier whose area the household is in."""

    def __init__(self, parcels: Parcels, chances: ParcelChances, ledger: Ledger, station: Station) -> None:
        self._parcels = parcels
        self._chances = chances
        self._ledger = ledger
        self._station = station
        self._asks = chances.returns.tolist()  # asked once a parcel is in hand: a list is quicker to index

    def in_hands(self, parcel: int, time_s: float) -> None:
        """The parcel reached its recipient at ``time_s`` (at the door, or collected from a pick-up point)."""
        if not self._asks[parcel]:
            return
        due = time_s + float(self._chances.return_delay_s[parcel])
        owner = self._station.owner_of(parcel)
        request = self._ledger.return_requested(parcel, int(self._parcels.household[parcel]), owner, due)
        self._station.add_return(owner, request, due)
