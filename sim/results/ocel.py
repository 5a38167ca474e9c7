"""The tracking log as an OCEL 2.0 object-centric event log, for process-mining tools.

One run (a variant and replication) of a results folder becomes one log: every tracking event, typed
by its status, at an ISO time counted from a start date, related to the objects it concerns with a
qualifier, and the objects themselves:

========== ============================== ==========================================================
type       id                             attributes and relations to other objects
========== ============================== ==========================================================
order      ``order:<parcel id>``          (runs with a warehouse) the order the parcel fulfils
parcel     ``parcel:<id>``                service (door_service / ordinary); ``fulfils`` its order
courier    ``courier:<id>``               station; ``works at`` the station
tour       ``tour:<courier>-<k>``         courier, day, start and end; ``ridden by`` the courier
locker     ``locker:<station>-<place>``   station, place; ``stands at`` the station
station    ``station:<id>``               —
========== ============================== ==========================================================

An event relates its parcel (``parcel``; for warehouse statuses its ``order``), the courier
(``courier``) and the tour it happened on (``tour``), the station (``station``) and, for a drop into
or a pick-up from a locker, the locker bank (``locker``). The log has no trucks: linehaul
departures are not objects of the tracking log.

Both formats are written part by part (one station area at a time), so memory stays flat with the
size of the city: the JSON file as a stream of text, the SQLite file through batched inserts.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ..model.tracking import DETAIL_NAMES, SERVICE_NAMES, Detail, Status, events_from_arrow
from .folder import Bundle
from .outdir import file_written_whole

__all__ = ["FORMATS", "export_ocel"]

FORMATS = ("ocel2-json", "ocel2-sqlite")
Format = Literal["ocel2-json", "ocel2-sqlite"]
_UPSTREAM = {int(Status.ORDER_PLACED), int(Status.PICKED), int(Status.PACKED), int(Status.SHIPPED)}
_EVENT_ATTRIBUTES = (("detail", "string"), ("service", "string"))
_OBJECT_ATTRIBUTES = {
    "order": (),
    "parcel": (("service", "string"),),
    "courier": (("station", "integer"),),
    "tour": (("courier", "integer"), ("day", "integer"), ("start", "time"), ("end", "time")),
    "locker": (("station", "integer"), ("place", "integer")),
    "station": (),
}
_STATUS_LABELS = [s.label for s in Status]
_EPOCH = "1970-01-01T00:00:00Z"  # the time of an object's initial attribute values


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    events: int
    objects: dict[str, int]


def export_ocel(
    folder: str | Path,
    out: str | Path,
    fmt: Format = "ocel2-json",
    *,
    variant: str | None = None,
    replication: int = 0,
    start: date = date(2024, 3, 1),
    force: bool = False,
) -> ExportSummary:
    """Write one run of a results folder as OCEL 2.0 (JSON or SQLite) to ``out``; the file appears
    whole or not at all. Raises ``ResultsError`` for an unknown variant or replication, or an
    existing ``out`` without ``force``."""
    bundle = Bundle(folder)
    variant = variant or bundle.variants[0]
    parts = bundle.event_parts(variant, replication)
    log = _Log(parts, _tours(bundle, variant, replication), np.datetime64(start.isoformat(), "ms"))
    with file_written_whole(Path(out), force) as temporary:
        writer = _JsonWriter(temporary) if fmt == "ocel2-json" else _SqliteWriter(temporary)
        with writer:
            for batch in log.batches():
                writer.events(batch)
            for kind, rows in log.objects():
                writer.objects(kind, rows)
    return ExportSummary(Path(out), log.n_events, log.object_counts)


# --- reading the run ----------------------------------------------------------------------------


@dataclass
class _Batch:
    """Events of one part, with everything a writer needs, as parallel lists."""

    ids: list[str]
    types: list[str]
    times: list[str]
    detail: list[str]
    service: list[str]
    relations: list[list[tuple[str, str]]]  # (object id, qualifier) per event


def _tours(bundle: Bundle, variant: str, replication: int) -> pd.DataFrame:
    tours = bundle.activity("tours", replication, variant=variant)
    if not len(tours):
        return pd.DataFrame(columns=["courier", "day", "start_s", "end_s", "station", "k"])
    tours = tours.sort_values(["courier", "start_s"], kind="stable").reset_index(drop=True)
    tours["k"] = tours.groupby("courier").cumcount()
    return tours


class _Log:
    """The run's events, read part by part, and the objects they name."""

    def __init__(self, parts: list[Path], tours: pd.DataFrame, start: np.datetime64) -> None:
        self.parts, self.tours, self.start = parts, tours, start
        self.n_events = 0
        self._parcels: dict[int, str] = {}
        self._orders: set[int] = set()
        self._couriers: dict[int, int] = {}
        self._lockers: set[tuple[int, int]] = set()
        self._stations: set[int] = set()
        self._tours_used: set[tuple[int, int]] = set()  # a tour that delivered nothing names no event: left out
        courier = tours["courier"].to_numpy(np.int64)
        self._tour_key = courier * 1e8 + tours["start_s"].to_numpy(float)
        self._tour_end = tours["end_s"].to_numpy(float)
        self._tour_courier = courier
        self._tour_k = tours["k"].to_numpy(np.int64)

    def iso(self, seconds: np.ndarray) -> list[str]:
        stamps = self.start + np.round(np.asarray(seconds, dtype=float) * 1000).astype("timedelta64[ms]")
        return [f"{s}Z" for s in np.datetime_as_string(stamps, unit="ms")]

    def batches(self) -> Iterator[_Batch]:
        for path in self.parts:
            ev = events_from_arrow(pq.read_table(path))
            n = len(ev)
            if n == 0:
                continue
            tour = self._tour_of(ev.courier, ev.time_s)
            is_locker = (ev.status == Status.IN_LOCKER) | ((ev.status == Status.PICKED_UP) & (ev.detail == Detail.FROM_LOCKER))
            relations: list[list[tuple[str, str]]] = []
            orders, stations, parcels, couriers, lockers = (
                self._orders,
                self._stations,
                self._parcels,
                self._couriers,
                self._lockers,
            )
            used = self._tours_used
            columns = zip(
                ev.parcel.tolist(),
                ev.status.tolist(),
                ev.courier.tolist(),
                ev.station.tolist(),
                ev.service.tolist(),
                ev.place.tolist(),
                tour.tolist(),
                is_locker.tolist(),
                strict=True,
            )
            for p, status, courier, station, service, place, k, at_locker in columns:
                if status in _UPSTREAM:
                    rel = [(f"order:{p}", "order")]
                    orders.add(p)
                else:
                    rel = [(f"parcel:{p}", "parcel"), (f"station:{station}", "station")]
                    stations.add(station)
                    if p not in parcels:
                        parcels[p] = SERVICE_NAMES[service]
                if courier >= 0:
                    rel.append((f"courier:{courier}", "courier"))
                    couriers.setdefault(courier, station)
                    if k >= 0:
                        rel.append((f"tour:{courier}-{k}", "tour"))
                        used.add((courier, k))
                if at_locker:
                    rel.append((f"locker:{station}-{place}", "locker"))
                    lockers.add((station, place))
                relations.append(rel)
            ids = [f"e{self.n_events + i}" for i in range(n)]
            self.n_events += n
            yield _Batch(
                ids=ids,
                types=[_STATUS_LABELS[s] for s in ev.status.tolist()],
                times=self.iso(ev.time_s),
                detail=[DETAIL_NAMES[d] for d in ev.detail.tolist()],
                service=[SERVICE_NAMES[s] for s in ev.service.tolist()],
                relations=relations,
            )

    def _tour_of(self, courier: np.ndarray, time_s: np.ndarray) -> np.ndarray:
        """The courier's tour each event happened on (its number k), or -1."""
        out = np.full(len(courier), -1, dtype=np.int64)
        if not len(self._tour_key):
            return out
        key = courier.astype(np.int64) * 1e8 + time_s
        i = np.searchsorted(self._tour_key, key, side="right") - 1
        ok = (courier >= 0) & (i >= 0)
        j = np.where(ok, i, 0)
        ok &= (self._tour_courier[j] == courier) & (time_s <= self._tour_end[j] + 1e-6)
        out[ok] = self._tour_k[j[ok]]
        return out

    @property
    def object_counts(self) -> dict[str, int]:
        return {
            "order": len(self._orders),
            "parcel": len(self._parcels),
            "courier": len(self._couriers),
            "tour": len(self._tours_used),
            "locker": len(self._lockers),
            "station": len(self._stations),
        }

    def objects(self) -> Iterator[tuple[str, list[tuple[str, dict[str, Any], list[tuple[str, str]]]]]]:
        """(type, rows of (id, attributes, relations to other objects)), type by type."""
        yield "order", [(f"order:{o}", {}, []) for o in sorted(self._orders)]
        yield (
            "parcel",
            [
                (f"parcel:{p}", {"service": s}, [(f"order:{p}", "fulfils")] if p in self._orders else [])
                for p, s in sorted(self._parcels.items())
            ],
        )
        yield (
            "courier",
            [(f"courier:{c}", {"station": s}, [(f"station:{s}", "works at")]) for c, s in sorted(self._couriers.items())],
        )
        used = self.tours[[(c, k) in self._tours_used for c, k in zip(self.tours["courier"], self.tours["k"], strict=True)]]
        starts, ends = self.iso(used["start_s"].to_numpy(float)), self.iso(used["end_s"].to_numpy(float))
        yield (
            "tour",
            [
                (f"tour:{c}-{k}", {"courier": c, "day": d, "start": s, "end": e}, [(f"courier:{c}", "ridden by")])
                for c, k, d, s, e in zip(
                    used["courier"].tolist(), used["k"].tolist(), used["day"].tolist(), starts, ends, strict=True
                )
            ],
        )
        yield (
            "locker",
            [(f"locker:{s}-{p}", {"station": s, "place": p}, [(f"station:{s}", "stands at")]) for s, p in sorted(self._lockers)],
        )
        yield "station", [(f"station:{s}", {}, []) for s in sorted(self._stations)]


# --- writers ------------------------------------------------------------------------------------


def _types_header() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    event_types = [{"name": s.label, "attributes": [{"name": n, "type": t} for n, t in _EVENT_ATTRIBUTES]} for s in Status]
    object_types = [
        {"name": kind, "attributes": [{"name": n, "type": t} for n, t in attrs]} for kind, attrs in _OBJECT_ATTRIBUTES.items()
    ]
    return event_types, object_types


class _JsonWriter:
    """OCEL 2.0 JSON, written as a stream: events first, then objects (keys may come in any order)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._first_event = True
        self._first_object = True
        self._in_objects = False

    def __enter__(self) -> _JsonWriter:
        self.f = self.path.open("w", encoding="utf-8")
        event_types, object_types = _types_header()
        self.f.write('{"objectTypes":' + json.dumps(object_types) + ',"eventTypes":' + json.dumps(event_types) + ',"events":[')
        return self

    def events(self, b: _Batch) -> None:
        chunks = []
        for i in range(len(b.ids)):
            # Object ids and qualifiers are plain ASCII made here (no quotes or escapes): written as they are.
            rel = ",".join([f'{{"objectId":"{o}","qualifier":"{q}"}}' for o, q in b.relations[i]])
            chunks.append(
                f'{{"id":"{b.ids[i]}","type":"{b.types[i]}","time":"{b.times[i]}","attributes":'
                f'[{{"name":"detail","value":"{b.detail[i]}"}},{{"name":"service","value":"{b.service[i]}"}}],'
                f'"relationships":[{rel}]}}'
            )
        if chunks:
            self.f.write(("" if self._first_event else ",") + ",".join(chunks))
            self._first_event = False

    def objects(self, kind: str, rows: list[tuple[str, dict[str, Any], list[tuple[str, str]]]]) -> None:
        if not self._in_objects:
            self.f.write('],"objects":[')
            self._in_objects = True
        chunks = []
        for oid, attrs, rels in rows:
            attributes = [{"name": k, "time": _EPOCH, "value": v} for k, v in attrs.items()]
            relationships = [{"objectId": o, "qualifier": q} for o, q in rels]
            chunks.append(json.dumps({"id": oid, "type": kind, "attributes": attributes, "relationships": relationships}))
        if chunks:
            self.f.write(("" if self._first_object else ",") + ",".join(chunks))
            self._first_object = False

    def __exit__(self, *exc: object) -> None:
        if not self._in_objects:
            self.f.write('],"objects":[')
        self.f.write("]}")
        self.f.close()


class _SqliteWriter:
    """OCEL 2.0 SQLite: the standard's tables, filled by batched inserts."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> _SqliteWriter:
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        event_types, object_types = _types_header()
        cur = self.db.cursor()
        # Keys are indexed once at the end: cheaper than keeping B-trees sorted during millions of inserts.
        cur.execute("CREATE TABLE event (ocel_id TEXT, ocel_type TEXT)")
        cur.execute("CREATE TABLE object (ocel_id TEXT, ocel_type TEXT)")
        cur.execute("CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT, ocel_qualifier TEXT)")
        cur.execute("CREATE TABLE object_object (ocel_source_id TEXT, ocel_target_id TEXT, ocel_qualifier TEXT)")
        cur.execute("CREATE TABLE event_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT)")
        cur.execute("CREATE TABLE object_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT)")
        for et in event_types:
            cur.execute("INSERT INTO event_map_type VALUES (?, ?)", (et["name"], _table(et["name"])))
            table = f'"event_{_table(et["name"])}"'
            cur.execute(f"CREATE TABLE {table} (ocel_id TEXT, ocel_time TIMESTAMP, detail TEXT, service TEXT)")
        for ot in object_types:
            cur.execute("INSERT INTO object_map_type VALUES (?, ?)", (ot["name"], _table(ot["name"])))
            columns = "".join(f", {a['name']} {_SQL_TYPES[a['type']]}" for a in ot["attributes"])
            table = f'"object_{_table(ot["name"])}"'
            cur.execute(f"CREATE TABLE {table} (ocel_id TEXT, ocel_time TIMESTAMP, ocel_changed_field TEXT{columns})")
        return self

    def events(self, b: _Batch) -> None:
        cur = self.db.cursor()
        cur.executemany("INSERT INTO event VALUES (?, ?)", zip(b.ids, b.types, strict=True))
        by_type: dict[str, list[tuple[str, str, str, str]]] = {}
        for i, kind in enumerate(b.types):
            by_type.setdefault(kind, []).append((b.ids[i], b.times[i], b.detail[i], b.service[i]))
        for kind, rows in by_type.items():
            cur.executemany(f'INSERT INTO "event_{_table(kind)}" VALUES (?, ?, ?, ?)', rows)
        cur.executemany(
            "INSERT INTO event_object VALUES (?, ?, ?)",
            ((e, o, q) for e, rels in zip(b.ids, b.relations, strict=True) for o, q in rels),
        )

    def objects(self, kind: str, rows: list[tuple[str, dict[str, Any], list[tuple[str, str]]]]) -> None:
        cur = self.db.cursor()
        cur.executemany("INSERT INTO object VALUES (?, ?)", ((oid, kind) for oid, _, _ in rows))
        names = [n for n, _ in _OBJECT_ATTRIBUTES[kind]]
        marks = ", ".join(["?"] * (3 + len(names)))
        cur.executemany(
            f'INSERT INTO "object_{_table(kind)}" VALUES ({marks})',
            ((oid, _EPOCH, None, *(attrs[n] for n in names)) for oid, attrs, _ in rows),
        )
        cur.executemany("INSERT INTO object_object VALUES (?, ?, ?)", ((oid, o, q) for oid, _, rels in rows for o, q in rels))

    def __exit__(self, *exc: object) -> None:
        self.db.execute("CREATE UNIQUE INDEX event_id ON event (ocel_id)")
        self.db.execute("CREATE UNIQUE INDEX object_id ON object (ocel_id)")
        self.db.commit()
        self.db.close()


_SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "float": "REAL", "time": "TIMESTAMP"}


def _table(name: str) -> str:
    """A type's name as a table-name suffix (letters, digits and underscores only)."""
    return "".join(c if c.isalnum() else "_" for c in name)
