"""Linehaul from the warehouse dock to the hub and on to the stations, computed without processes.

Trucks leave the dock at scheduled times each day and take every parcel packed before the
cut-off; a dock that fills a truck sends it at once. Each truck's transit time to the hub is
lognormal, drawn per departure time (so a truck leaving at the same time carries the same delay in
every variant). From the hub, parcels ride the next scheduled truck that reaches their station.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtri

from ...core.streams import Streams
from ...core.units import SECONDS_PER_DAY, SECONDS_PER_HOUR
from ...scenario.schema import LinehaulConfig

__all__ = ["dock_departures", "station_arrivals"]


def dock_departures(packed_s: np.ndarray, cfg: LinehaulConfig, horizon_s: float) -> np.ndarray:
    """Departure time of each packed parcel from the dock (NaN: not gone by the horizon)."""
    departure = np.full(len(packed_s), np.nan)
    cutoff = cfg.cutoff_min * 60.0
    packed = np.flatnonzero(~np.isnan(packed_s))
    order = packed[np.argsort(packed_s[packed], kind="stable")]
    schedule = _daily_times(cfg.departures_h, horizon_s)
    dock: list[int] = []
    k = 0  # next scheduled departure
    for parcel in order.tolist():
        ready = packed_s[parcel] + cutoff  # must be packed `cutoff` before the truck leaves
        while k < len(schedule) and schedule[k] < ready:
            departure[dock] = schedule[k]
            dock = []
            k += 1
        dock.append(parcel)
        if len(dock) == cfg.truck_capacity:
            departure[dock] = packed_s[parcel]  # a full truck leaves as soon as it is loaded
            dock = []
    if dock and k < len(schedule):
        departure[dock] = schedule[k]
    departure[departure > horizon_s] = np.nan
    return departure


def station_arrivals(departure_s: np.ndarray, cfg: LinehaulConfig, station_times_h: list[float], streams: Streams) -> np.ndarray:
    """Arrival time at the delivery station of each dispatched parcel (NaN where not dispatched)."""
    arrival = np.full(len(departure_s), np.nan)
    shipped = ~np.isnan(departure_s)
    if not shipped.any():
        return arrival
    trucks, inverse = np.unique(departure_s[shipped], return_inverse=True)
    u = np.array([streams.uniform1("linehaul_transit", round(t)) for t in trucks.tolist()])
    z = ndtri(np.clip(u, 1e-12, 1 - 1e-12))  # standard normal from the per-truck uniform
    transit = cfg.transit_h_median * SECONDS_PER_HOUR * np.exp(cfg.transit_sigma * z)
    at_hub_done = trucks + transit + (cfg.hub_h + cfg.hub_to_station_h) * SECONDS_PER_HOUR
    slots = np.sort(np.asarray(station_times_h)) * SECONDS_PER_HOUR
    arrival[shipped] = _next_slot(at_hub_done, slots)[inverse]
    return arrival


def _daily_times(hours: tuple[float, ...], horizon_s: float) -> list[float]:
    days = math.ceil(horizon_s / SECONDS_PER_DAY) + 1
    return [d * SECONDS_PER_DAY + h * SECONDS_PER_HOUR for d in range(days) for h in hours]


def _next_slot(t: np.ndarray, slots_s: np.ndarray) -> np.ndarray:
    """The first daily slot time at or after each t."""
    day0 = np.floor(t / SECONDS_PER_DAY) * SECONDS_PER_DAY
    within = t - day0
    idx = np.searchsorted(slots_s, within, side="left")
    wraps = idx == len(slots_s)
    out = day0 + slots_s[np.minimum(idx, len(slots_s) - 1)]
    out[wraps] = day0[wraps] + SECONDS_PER_DAY + slots_s[0]
    return out
