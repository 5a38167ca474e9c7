"""Real last-mile logs in: the LaDe-D delivery format (Cainiao's public LaDe dataset), summarised as the
distributions a calibration compares, and the same format made from a simulated run.

LaDe-D files have the columns ``order_id, region_id, city, courier_id, lng, lat, aoi_id, aoi_type,
accept_time, accept_gps_time, accept_gps_lng, accept_gps_lat, delivery_time, delivery_gps_time,
delivery_gps_lng, delivery_gps_lat, ds``, times written ``MM-DD HH:MM:SS``. A file with other
column names is read through a mapping (``{lade_name: file_name}``). The summary is what a courier's
day looks like in the data:

- ``parcels_per_courier_day``: deliveries per courier and day;
- ``day_span_h``: first to last delivery of a courier's day;
- ``gap_min``: minutes between a courier's consecutive deliveries (the time a parcel takes);
- ``parcels_per_stop``: consecutive deliveries of a courier in one AOI (area of interest) make a stop;
- ``delivery_hour``: the hour of the day of each delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import ScenarioError

__all__ = ["DISTRIBUTIONS", "LADE_COLUMNS", "LadeSummary", "deliveries_of_run", "lade_from_run", "read_lade", "summarize"]

LADE_COLUMNS = (
    "order_id",
    "region_id",
    "city",
    "courier_id",
    "lng",
    "lat",
    "aoi_id",
    "aoi_type",
    "accept_time",
    "accept_gps_time",
    "accept_gps_lng",
    "accept_gps_lat",
    "delivery_time",
    "delivery_gps_time",
    "delivery_gps_lng",
    "delivery_gps_lat",
    "ds",
)
NEEDED = ("courier_id", "aoi_id", "delivery_time")  # what the summary uses
DISTRIBUTIONS = ("parcels_per_courier_day", "day_span_h", "gap_min", "parcels_per_stop", "delivery_hour")
_YEAR = 2022  # LaDe's times carry no year; any non-leap year orders them the same


def read_lade(path: str | Path, mapping: dict[str, str] | None = None) -> pd.DataFrame:
    """A LaDe-D delivery file as a table with LaDe column names (``courier_id``, ``aoi_id``,
    ``delivery_time`` as timestamps, ...). Raises ``ScenarioError`` naming the column and row of
    what cannot be read: a missing column, a time that does not parse, or no delivery at all."""
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ScenarioError(f"{path}: cannot be read as a CSV file ({exc})") from None
    renames = {file_name: lade_name for lade_name, file_name in (mapping or {}).items()}
    raw = raw.rename(columns=renames)
    missing = [c for c in NEEDED if c not in raw.columns]
    if missing:
        mapped = " (after the mapping)" if mapping else ""
        raise ScenarioError(f"{path}: missing columns {', '.join(missing)}{mapped}; a LaDe-D file has {', '.join(LADE_COLUMNS)}")
    raw = raw[raw["delivery_time"].str.strip() != ""].reset_index(drop=True)
    if raw.empty:
        raise ScenarioError(f"{path}: no deliveries (every delivery_time is empty)")
    out = raw.copy()
    for column in ("delivery_time", "accept_time"):
        if column in raw.columns:
            out[column] = _times(raw[column], column, path)
    return out


def _times(text: pd.Series, column: str, path: Path) -> pd.Series:
    filled = text.str.strip() != ""
    parsed = pd.to_datetime(f"{_YEAR}-" + text.str.strip(), format="%Y-%m-%d %H:%M:%S", errors="coerce")
    bad = filled & parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ScenarioError(
            f"{path}: row {row + 2}, column {column}: {text.iloc[row]!r} is not a time like 03-21 09:15:00 (MM-DD HH:MM:SS)"
        )
    return parsed


@dataclass(frozen=True)
class LadeSummary:
    """The distributions of a delivery log, each as an array of observations."""

    values: dict[str, np.ndarray]

    def table(self) -> pd.DataFrame:
        """One row per observation: ``distribution``, ``value`` (for Parquet)."""
        return pd.concat(
            [pd.DataFrame({"distribution": name, "value": v.astype(float)}) for name, v in self.values.items()], ignore_index=True
        )

    @classmethod
    def from_table(cls, table: pd.DataFrame) -> LadeSummary:
        return cls({name: table.loc[table["distribution"] == name, "value"].to_numpy(float) for name in DISTRIBUTIONS})

    def statistics(self) -> pd.DataFrame:
        """Count, mean and quartiles of each distribution."""
        rows = []
        for name, v in self.values.items():
            q = np.percentile(v, [25, 50, 75]) if len(v) else [np.nan] * 3
            rows.append(
                {
                    "distribution": name,
                    "n": len(v),
                    "mean": float(np.mean(v)) if len(v) else np.nan,
                    "p25": q[0],
                    "p50": q[1],
                    "p75": q[2],
                }
            )
        return pd.DataFrame(rows)


def summarize(log: pd.DataFrame) -> LadeSummary:
    """The distributions of a delivery log (``read_lade``'s or ``lade_from_run``'s)."""
    log = log.sort_values(["courier_id", "delivery_time"], kind="stable")
    day = log["delivery_time"].dt.normalize()
    groups = log.groupby([log["courier_id"], day], sort=False)["delivery_time"]
    per_day = groups.size().to_numpy()
    span = ((groups.max() - groups.min()).dt.total_seconds() / 3600).to_numpy()
    same_day = (log["courier_id"].to_numpy()[1:] == log["courier_id"].to_numpy()[:-1]) & (
        day.to_numpy()[1:] == day.to_numpy()[:-1]
    )
    seconds = np.diff(log["delivery_time"].to_numpy().astype("datetime64[s]").astype(np.int64))
    gaps = seconds[same_day] / 60.0
    new_stop = np.concatenate([[True], ~same_day | (log["aoi_id"].to_numpy()[1:] != log["aoi_id"].to_numpy()[:-1])])
    stops = np.diff(np.concatenate([np.flatnonzero(new_stop), [len(log)]]))
    hours = log["delivery_time"].dt.hour.to_numpy()
    return LadeSummary(
        {
            "parcels_per_courier_day": per_day.astype(float),
            "day_span_h": span,
            "gap_min": gaps,
            "parcels_per_stop": stops.astype(float),
            "delivery_hour": hours.astype(float),
        }
    )


def deliveries_of_run(events: pd.DataFrame, *, start: date = date(2022, 3, 21)) -> pd.DataFrame:
    """A simulated run's deliveries as ``read_lade`` gives a real log's: one row per parcel handed
    over at the door or dropped in a locker by a courier (``delivery_time``), accepted when it went
    out for delivery (``accept_time``, NaT if never), at the compound it was delivered in
    (``aoi_id``); times to the whole second, as LaDe writes them. ``events`` is one run's tracking
    log (``sim.load_events`` as pandas)."""
    delivered = events[events["status"].astype(str).isin(["delivered", "in_locker"]) & (events["courier"] >= 0)]
    delivered = delivered.drop_duplicates("parcel", keep="first")
    out_for = events[events["status"].astype(str) == "out_for_delivery"].drop_duplicates("parcel", keep="last")
    accept = delivered["parcel"].map(out_for.set_index("parcel")["time_s"])
    base = pd.Timestamp(start)
    return pd.DataFrame(
        {
            "order_id": delivered["parcel"].to_numpy(),
            "region_id": delivered["station"].to_numpy(),
            "courier_id": delivered["courier"].to_numpy(),
            "aoi_id": delivered["place"].to_numpy(),
            "accept_time": (base + pd.to_timedelta(accept, unit="s")).dt.floor("s").to_numpy(),
            "delivery_time": (base + pd.to_timedelta(delivered["time_s"], unit="s")).dt.floor("s").to_numpy(),
        }
    )


def lade_from_run(
    events: pd.DataFrame,
    *,
    start: date = date(2022, 3, 21),
    city: str = "parcelsim",
    positions: np.ndarray | None = None,
) -> pd.DataFrame:
    """``deliveries_of_run`` written in LaDe-D columns, times as ``MM-DD HH:MM:SS``. ``positions``
    ((places, 2) WGS-84 longitude, latitude of station area 0's places; ``sim.results.geo``) fills
    the coordinates of that area's rows: the parcel's place (``lng``, ``lat``), the courier at the
    station when the parcel went out (``accept_gps_*``) and at the place when it was delivered
    (``delivery_gps_*``). Without it, or in other station areas, they are empty."""
    runs = deliveries_of_run(events, start=start)

    def lade_time(stamps: pd.Series) -> pd.Series:
        return stamps.dt.strftime("%m-%d %H:%M:%S").where(stamps.notna(), "")

    where = _positions(runs, positions)
    return pd.DataFrame(
        {
            "order_id": runs["order_id"],
            "region_id": runs["region_id"],
            "city": city,
            "courier_id": runs["courier_id"],
            "lng": where["lng"],
            "lat": where["lat"],
            "aoi_id": runs["aoi_id"],
            "aoi_type": "residential",
            "accept_time": lade_time(runs["accept_time"]),
            "accept_gps_time": lade_time(runs["accept_time"]).where(where["placed"], ""),
            "accept_gps_lng": where["station_lng"].where(runs["accept_time"].notna(), ""),
            "accept_gps_lat": where["station_lat"].where(runs["accept_time"].notna(), ""),
            "delivery_time": lade_time(runs["delivery_time"]),
            "delivery_gps_time": lade_time(runs["delivery_time"]).where(where["placed"], ""),
            "delivery_gps_lng": where["lng"],
            "delivery_gps_lat": where["lat"],
            "ds": runs["delivery_time"].dt.strftime("%m%d"),
        }
    )


def _positions(runs: pd.DataFrame, positions: np.ndarray | None) -> dict[str, pd.Series]:
    """Coordinate columns (6 decimals, LaDe's precision) for the rows of station area 0."""
    placed = pd.Series(positions is not None, index=runs.index) & (runs["region_id"] == 0)
    empty = pd.Series("", index=runs.index, dtype=object)
    if positions is None:
        return {"placed": placed, "lng": empty, "lat": empty, "station_lng": empty, "station_lat": empty}
    place = runs["aoi_id"].to_numpy().clip(0, len(positions) - 1)

    def text(values: np.ndarray) -> pd.Series:
        return pd.Series([f"{v:.6f}" for v in values], index=runs.index, dtype=object).where(placed, "")

    station = np.broadcast_to(positions[0], (len(runs), 2))
    return {
        "placed": placed,
        "lng": text(positions[place, 0]),
        "lat": text(positions[place, 1]),
        "station_lng": text(station[:, 0]),
        "station_lat": text(station[:, 1]),
    }
