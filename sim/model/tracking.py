"""The tracking log: one row per parcel status change, kept as columns, not as Python objects.

Statuses mirror what a courier app shows, with the Chinese label a user in China would see.
Courier activity (tours and the stops within them) is recorded beside it by the ledger
(``sim.model.ledger``), also as columns, so that every KPI is a pure function of these tables.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ..core.units import SECONDS_PER_DAY, SECONDS_PER_HOUR
from ..world.places import Place

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Detail",
    "EventLog",
    "EventTable",
    "Service",
    "Status",
    "by_parcel",
    "events_from_arrow",
    "first_of_each",
    "format_timeline",
    "stable_order",
]


class Status(IntEnum):
    """A parcel's status change, in the order a courier app shows them."""

    ORDER_PLACED = 0
    PICKED = 1
    PACKED = 2
    SHIPPED = 3
    AT_STATION = 4
    OUT_FOR_DELIVERY = 5
    DELIVERED = 6
    IN_LOCKER = 7
    AT_STATION_PICKUP = 8
    PICKED_UP = 9
    DELIVERY_FAILED = 10
    RETURNED = 11
    COMPLAINT = 12  # the recipient complained; not a place the parcel is in

    @property
    def label(self) -> str:
        """English name as written in the event log, e.g. ``delivered``."""
        return _LABELS[self][0]

    @property
    def chinese(self) -> str:
        """Chinese label as a courier app shows it, e.g. 已签收."""
        return _LABELS[self][1]


_LABELS = {
    Status.ORDER_PLACED: ("order_placed", "下单"),
    Status.PICKED: ("picked", "拣货"),
    Status.PACKED: ("packed", "打包"),
    Status.SHIPPED: ("shipped", "已揽收"),
    Status.AT_STATION: ("at_station", "到达网点"),
    Status.OUT_FOR_DELIVERY: ("out_for_delivery", "派送中"),
    Status.DELIVERED: ("delivered", "已签收"),
    Status.IN_LOCKER: ("in_locker", "已投柜"),
    Status.AT_STATION_PICKUP: ("at_station_pickup", "已入驿站"),
    Status.PICKED_UP: ("picked_up", "已取件"),
    Status.DELIVERY_FAILED: ("delivery_failed", "投递失败"),
    Status.RETURNED: ("returned", "退回"),
    Status.COMPLAINT: ("complaint", "投诉"),
}


class Detail(IntEnum):
    """Why a status happened, where that matters (a failed attempt, a parcel rerouted)."""

    NONE = 0
    NOT_HOME = 1
    LOCKER_FULL = 2
    CONSENTED = 3  # recipient not home but agreed to a locker or the station
    MAX_ATTEMPTS = 4
    CARRIED_OVER = 5  # back at the station unserved: the working day ended
    NEIGHBOUR = 6  # handed to a neighbour, as the recipient asked on the phone
    RESCHEDULED = 7  # the recipient, called ahead, asked for a later delivery
    STANDING_CONSENT = 8  # the household told the station once that lockers are fine
    CORNER_CUT = 9  # the courier left a door-service parcel unasked; the household has standing consent
    NO_CONSENT = 10  # the courier left a door-service parcel unasked, without any consent: a violation
    EXPIRED = 11  # not collected within the locker's storage limit, moved to the compound's 驿站
    FROM_LOCKER = 12  # picked up: from a locker bank
    FROM_PICKUP_STATION = 13  # picked up: from a community pick-up station (驿站)
    FROM_COUNTER = 14  # picked up: from the franchise station's counter
    UNCOLLECTED = 15  # returned to the sender: never collected from a locker or a 驿站
    NO_ROOM = 16  # back at the station: no locker or 驿站 had room, out again the next day

    @property
    def label(self) -> str:
        return self.name.lower()


class Service(IntEnum):
    """A parcel's service class: what the buyer paid for."""

    ORDINARY = 0
    DOOR_SERVICE = 1  # 音尊达: door delivery bought with the order

    @property
    def label(self) -> str:
        return self.name.lower()


STATUS_NAMES = [s.label for s in Status]
_EVENT_FIELDS = ("time_s", "parcel", "status", "courier", "place", "detail", "station", "service")
DETAIL_NAMES = [d.label for d in Detail]
SERVICE_NAMES = [s.label for s in Service]


assert max(Status) < 128 and max(Detail) < 128, "status and detail codes are int8 in the tables, one byte in the log"
# An event log's columns as arrays, in the order logged: time, parcel, status, courier, place, detail.
_Block = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass
class EventLog:
    """Appends status changes during a run; ``table()`` turns them into sorted columns.

    Single events go to lists (quick to append one at a time); a block of many (``add_many``)
    is kept as arrays, after the lists so far are turned into a block too, so the order of
    logging is kept without turning arrays into lists and back."""

    time_s: list[float] = field(default_factory=list)
    parcel: list[int] = field(default_factory=list)
    status: list[int] = field(default_factory=list)
    courier: list[int] = field(default_factory=list)
    place: list[int] = field(default_factory=list)
    detail: list[int] = field(default_factory=list)
    _blocks: list[_Block] = field(default_factory=list)

    def add(self, time_s: float, parcel: int, status: Status, courier: int = -1, place: int = -1, detail: Detail = Detail.NONE):
        self.time_s.append(time_s)
        self.parcel.append(parcel)
        self.status.append(status)
        self.courier.append(courier)
        self.place.append(place)
        self.detail.append(detail)

    def add_each(
        self, time_s: float, parcels: list[int], status: Status, courier: int = -1, place: int = -1, detail: Detail = Detail.NONE
    ) -> None:
        """Log one status at one moment for each of a list of parcels (a tricycle's load)."""
        n = len(parcels)
        self.time_s.extend([time_s] * n)
        self.parcel.extend(parcels)
        self.status.extend([status] * n)
        self.courier.extend([courier] * n)
        self.place.extend([place] * n)
        self.detail.extend([detail] * n)

    def add_many(
        self,
        time_s: np.ndarray | float,
        parcels: np.ndarray,
        status: Status | np.ndarray,
        place: np.ndarray | int = -1,
        *,
        courier: np.ndarray | int = -1,
        detail: np.ndarray | int = 0,
    ) -> None:
        """Log many events at once (e.g. a truck's arrival); every field but the parcels may be one
        value for all."""
        n = len(parcels)
        if self.time_s:  # the single events logged before this block, as a block of their own
            self._blocks.append(self._lists_as_block())
            self._clear_lists()

        def column(value: np.ndarray | float | int, dtype: type) -> np.ndarray:
            return np.array(np.broadcast_to(np.asarray(value, dtype=dtype), n))

        self._blocks.append(
            (
                column(time_s, np.float64),
                column(parcels, np.int64),
                column(status, np.int8),
                column(courier, np.int32),
                column(place, np.int32),
                column(detail, np.int8),
            )
        )

    def _lists_as_block(self) -> _Block:
        return (
            np.asarray(self.time_s, dtype=np.float64),
            np.asarray(self.parcel, dtype=np.int64),
            # The run logs enum members: bytes() turns them into codes in C, several times quicker
            # than numpy does one by one (the codes fit in a byte: asserted above).
            np.frombuffer(bytes(self.status), dtype=np.int8),
            np.asarray(self.courier, dtype=np.int32),
            np.asarray(self.place, dtype=np.int32),
            np.frombuffer(bytes(self.detail), dtype=np.int8),
        )

    def _clear_lists(self) -> None:
        for column in (self.time_s, self.parcel, self.status, self.courier, self.place, self.detail):
            column.clear()

    def table(self, station: int = -1, door_service: np.ndarray | None = None) -> EventTable:
        """The log sorted by time; ties keep the order in which they were logged. ``door_service``
        gives each parcel's service class (unknown, -1, without it)."""
        blocks = [*self._blocks, self._lists_as_block()]
        time_s, parcel, status, courier, place, detail = (np.concatenate(c) for c in zip(*blocks, strict=True))
        order = np.argsort(time_s, kind="stable")
        parcel = parcel[order]
        service = np.full(len(parcel), -1, dtype=np.int8) if door_service is None else door_service[parcel].astype(np.int8)
        return EventTable(
            time_s=time_s[order],
            parcel=parcel,
            status=status[order],
            courier=courier[order],
            place=place[order],
            detail=detail[order],
            station=np.full(len(time_s), station, dtype=np.int32),
            service=service,
        )


@dataclass(frozen=True)
class EventTable:
    """The tracking log as numpy columns, sorted by time."""

    time_s: np.ndarray
    parcel: np.ndarray
    status: np.ndarray
    courier: np.ndarray
    place: np.ndarray
    detail: np.ndarray
    station: np.ndarray  # station area of the event, -1 upstream
    service: np.ndarray  # Service of the parcel, -1 where unknown (orders whose station was not simulated)

    def __len__(self) -> int:
        return len(self.time_s)

    @staticmethod
    def empty() -> EventTable:
        """A log with no events."""
        return EventLog().table()

    def relabel(self, parcel_ids: np.ndarray, courier_offset: int) -> EventTable:
        """The same events with local parcel ids mapped to global ones and couriers numbered globally."""
        return EventTable(
            time_s=self.time_s,
            parcel=parcel_ids[self.parcel],
            status=self.status,
            courier=np.where(self.courier >= 0, self.courier + courier_offset, -1).astype(np.int32),
            place=self.place,
            detail=self.detail,
            station=self.station,
            service=self.service,
        )

    def take(self, rows: np.ndarray) -> EventTable:
        """The events at ``rows`` (indices in time order), as a table of their own."""
        return EventTable(**{f: getattr(self, f)[rows] for f in _EVENT_FIELDS})

    def with_parcels(self, parcel: np.ndarray) -> EventTable:
        """The same events with other parcel ids (one per event)."""
        return dataclasses.replace(self, parcel=np.asarray(parcel, dtype=self.parcel.dtype))

    def with_service(self, door_service: np.ndarray) -> EventTable:
        """The same events with each parcel's service class filled in from ``door_service`` (-1: unknown)."""
        return dataclasses.replace(self, service=np.asarray(door_service, dtype=np.int8)[self.parcel])

    @staticmethod
    def concat(tables: list[EventTable]) -> EventTable:
        """Tables merged into one time order; ties keep the order of the list."""
        cols = {f: np.concatenate([getattr(t, f) for t in tables]) for f in _EVENT_FIELDS}
        order = np.argsort(cols["time_s"], kind="stable")
        return EventTable(**{f: c[order] for f, c in cols.items()})

    def to_arrow(self, variant: str, replication: int, variants: list[str] | None = None) -> pa.Table:
        """Arrow table with readable status names (dictionary-encoded, so still compact). ``variants``
        names every variant of the results the table goes into: the variant column's dictionary is
        the same in every table written, so row groups of one file share their dictionaries."""
        n = len(self)
        names = variants or [variant]
        variant_code = np.full(n, names.index(variant), dtype=np.int8)
        return pa.table(
            {
                "variant": pa.DictionaryArray.from_arrays(pa.array(variant_code), pa.array(names)),
                "replication": pa.array(np.full(n, replication, dtype=np.int32)),
                "time_s": pa.array(self.time_s),
                "parcel": pa.array(self.parcel),
                "status": pa.DictionaryArray.from_arrays(pa.array(self.status), pa.array(STATUS_NAMES)),
                "courier": pa.array(self.courier),
                "station": pa.array(self.station),
                "place": pa.array(self.place),
                "detail": pa.DictionaryArray.from_arrays(pa.array(self.detail), pa.array(DETAIL_NAMES)),
                "service": pa.DictionaryArray.from_arrays(
                    pa.array(np.maximum(self.service, 0), mask=self.service < 0), pa.array(SERVICE_NAMES)
                ),
            }
        )

    def to_pandas(self) -> pd.DataFrame:
        """One row per event; ``status`` and ``detail`` as categoricals of their English names,
        ``status_zh`` the Chinese label a courier app shows."""
        import pandas as pd

        status = pd.Categorical.from_codes(self.status, categories=STATUS_NAMES)
        return pd.DataFrame(
            {
                "time_s": self.time_s,
                "parcel": self.parcel,
                "status": status,
                "status_zh": pd.Categorical.from_codes(self.status, categories=[s.chinese for s in Status]),
                "courier": self.courier,
                "station": self.station,
                "place": self.place,
                "detail": pd.Categorical.from_codes(self.detail, categories=DETAIL_NAMES),
                "service": pd.Categorical.from_codes(self.service, categories=SERVICE_NAMES),
            }
        )


def events_from_arrow(table: pa.Table) -> EventTable:
    """Read back one (variant, replication) slice of ``events.parquet`` as numpy columns.

    Status and detail are dictionary-encoded: each chunk's dictionary is mapped to our codes once
    and its indices are translated in one numpy step (no Python object per event)."""
    status = _codes(table.column("status"), STATUS_NAMES)
    detail = _codes(table.column("detail"), DETAIL_NAMES)
    service = _codes(table.column("service"), SERVICE_NAMES)
    return EventTable(
        time_s=table.column("time_s").to_numpy(),
        parcel=table.column("parcel").to_numpy(),
        status=status,
        courier=table.column("courier").to_numpy(),
        place=table.column("place").to_numpy(),
        detail=detail,
        station=table.column("station").to_numpy(),
        service=service,
    )


def _codes(column: pa.ChunkedArray, names: list[str]) -> np.ndarray:
    """Our integer codes of a dictionary-encoded (or plain string) column of names."""
    lookup = {name: i for i, name in enumerate(names)}
    parts = []
    for chunk in column.chunks:
        if not pa.types.is_dictionary(chunk.type):
            chunk = chunk.dictionary_encode()
        code_of_entry = np.array([lookup[name] for name in chunk.dictionary.to_pylist()], dtype=np.int8)
        indices = chunk.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        # A null (unknown) maps to -1: the lookup gets one extra entry at its end for index -1.
        parts.append(np.append(code_of_entry, np.int8(-1))[indices])
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int8)


def format_timeline(times_s: np.ndarray, statuses: np.ndarray, details: np.ndarray, places: np.ndarray) -> list[str]:
    """Lines like a courier app's timeline: ``day 0 14:05  已签收  delivered``."""
    lines = []
    for t, s, d, p in zip(times_s, statuses, details, places, strict=True):
        day, rest = divmod(float(t), SECONDS_PER_DAY)
        hh, rest = divmod(rest, SECONDS_PER_HOUR)
        mm = rest // 60
        status = Status(int(s))
        note = f" ({Detail(int(d)).label.replace('_', ' ')})" if int(d) else ""
        where = "" if int(p) < 0 else (" at the station" if int(p) == Place.STATION else f" at compound {Place.compound(int(p))}")
        lines.append(f"day {int(day)} {int(hh):02d}:{int(mm):02d}  {status.chinese}  {status.label}{note}{where}")
    return lines


def by_parcel(events: EventTable, sel: np.ndarray) -> np.ndarray:
    """The event indices ``sel`` (increasing: in time order) grouped by parcel, each parcel's in time
    order: one stable sort on the parcel, as a lexsort on (parcel, index) would give at twice the cost."""
    return sel[stable_order(events.parcel[sel])]


def stable_order(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for integer keys, by numpy's radix sort where they fit in 16
    bits (a station area's parcel ids usually do): several times quicker than the merge sort."""
    if len(keys) and keys.min() >= 0 and keys.max() <= np.iinfo(np.uint16).max:
        keys = keys.astype(np.uint16)
    return np.argsort(keys, kind="stable")


def first_of_each(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct integer keys, ascending, and where each first occurs: ``np.unique(keys,
    return_index=True)``, by ``stable_order``."""
    order = stable_order(keys)
    ordered = keys[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]] if len(ordered) else np.zeros(0, dtype=bool)
    return ordered[first], order[first]
