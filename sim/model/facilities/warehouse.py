"""A fulfilment warehouse: orders queue for pickers, then for packers (FIFO), staff work in shifts.

One SimPy process per staff member, one timeout per order served: a stage is a pool of identical
servers with a shared FIFO queue (M/G/c while on shift). A cloud warehouse can call in surge
staff when the backlog passes a threshold and send them home when it has drained.
``parcelsim theory mmc`` runs this same code against the Erlang C formula.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simpy

from ...core.monitor import TimeWeighted
from ...core.streams import Streams
from ...core.types import ProcessGenerator
from ...core.units import SECONDS_PER_DAY, SECONDS_PER_HOUR
from ...scenario.schema import WarehouseConfig

__all__ = ["Shift", "Stage", "Warehouse", "service_times"]


@dataclass(frozen=True)
class Shift:
    """A daily working window [start_h, end_h)."""

    start_h: float
    end_h: float

    @property
    def round_the_clock(self) -> bool:
        return self.start_h <= 0 and self.end_h >= 24

    def is_on(self, t: float) -> bool:
        if self.round_the_clock:
            return True
        h = (t % SECONDS_PER_DAY) / SECONDS_PER_HOUR
        return self.start_h <= h < self.end_h

    def next_start(self, t: float) -> float:
        """The next shift start at or after ``t``."""
        day0 = (t // SECONDS_PER_DAY) * SECONDS_PER_DAY
        start = day0 + self.start_h * SECONDS_PER_HOUR
        return start if start >= t else start + SECONDS_PER_DAY

    def next_end(self, t: float) -> float:
        day0 = (t // SECONDS_PER_DAY) * SECONDS_PER_DAY
        end = day0 + self.end_h * SECONDS_PER_HOUR
        return end if end > t else end + SECONDS_PER_DAY


def service_times(n: int, rate_per_h: float, kind: str, cv: float, rng: np.random.Generator) -> np.ndarray:
    """Service time of each of ``n`` orders at one stage (seconds), mean SECONDS_PER_HOUR / rate."""
    mean = SECONDS_PER_HOUR / rate_per_h
    if kind == "exponential":
        return rng.exponential(mean, size=n)
    sigma = np.sqrt(np.log1p(cv**2))
    return mean * np.exp(sigma * rng.standard_normal(n) - sigma**2 / 2)


class Stage:
    """A pool of workers serving one FIFO queue of orders, within a shift."""

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        service_s: np.ndarray,
        shift: Shift,
        on_start: Callable[[int, float], None],
        on_done: Callable[[int, float], None],
    ) -> None:
        self.env = env
        self.name = name
        self.service_s = service_s
        self.shift = shift
        self.on_start = on_start
        self.on_done = on_done
        self.queue: deque[int] = deque()
        self._idle: deque[tuple[bool, simpy.Event]] = deque()  # (is surge worker, wake-up event)
        self.busy = TimeWeighted(f"{name}_busy")
        self.staffed = TimeWeighted(f"{name}_staffed")
        self.surge_staffed = TimeWeighted(f"{name}_surge_staffed")
        self.regular = 0
        self.surge_active = 0
        self.surge_released = False
        if not shift.round_the_clock:
            env.process(self._shift_clock())

    def hire(self, n: int, surge: bool = False) -> None:
        """Start ``n`` workers now (regular staff at time 0, surge staff when they arrive)."""
        if surge:
            self.surge_released = False
            self.surge_active += n
        else:
            self.regular += n
        self._update_staffed()
        for _ in range(n):
            self.env.process(self._worker(surge))

    def release_surge(self) -> None:
        """Surge workers go home after the order in hand; idle ones leave at once."""
        self.surge_released = True
        keep: deque[tuple[bool, simpy.Event]] = deque()
        while self._idle:
            surge, event = self._idle.popleft()
            if surge:
                event.succeed(None)
            else:
                keep.append((surge, event))
        self._idle = keep

    def arrive(self, order: int) -> None:
        """An order joins the queue, or goes straight to an idle worker on shift."""
        if self._idle and self.shift.is_on(self.env.now):
            _, event = self._idle.popleft()
            event.succeed(order)
        else:
            self.queue.append(order)

    def _update_staffed(self) -> None:
        on = self.shift.is_on(self.env.now)
        self.staffed.set(self.env.now, (self.regular + self.surge_active) if on else 0)
        self.surge_staffed.set(self.env.now, self.surge_active if on else 0)

    def _worker(self, surge: bool) -> ProcessGenerator:
        env = self.env
        while True:
            if surge and self.surge_released:
                break
            if not self.shift.is_on(env.now):
                yield env.timeout(self.shift.next_start(env.now) - env.now)
                continue
            if self.queue:
                order = self.queue.popleft()
            else:
                event = env.event()
                self._idle.append((surge, event))
                order = yield event
                if order is None:
                    break
            self.on_start(order, env.now)
            self.busy.add(env.now, 1)
            yield env.timeout(self.service_s[order])
            self.busy.add(env.now, -1)
            self.on_done(order, env.now)
        self.surge_active -= 1
        self._update_staffed()

    def _shift_clock(self) -> ProcessGenerator:
        """At each shift start, hand queued orders to idle workers; keep the staffed monitor right."""
        env = self.env
        while True:
            yield env.timeout(self.shift.next_start(env.now) - env.now)
            self._update_staffed()
            while self.queue and self._idle:
                _, event = self._idle.popleft()
                event.succeed(self.queue.popleft())
            yield env.timeout(self.shift.next_end(env.now) - env.now)
            self._update_staffed()


class Warehouse:
    """Pickers then packers; records when each order was placed, picked and packed."""

    def __init__(self, env: simpy.Environment, cfg: WarehouseConfig, n_orders: int, streams: Streams) -> None:
        self.env = env
        self.cfg = cfg
        rng = streams.generator("warehouse_service")
        # Drawn per order and stage up front: the same order needs the same work in every variant.
        pick_s = service_times(n_orders, cfg.pick_rate_per_h, cfg.service_time, cfg.service_cv, rng)
        pack_s = service_times(n_orders, cfg.pack_rate_per_h, cfg.service_time, cfg.service_cv, rng)
        shift = Shift(cfg.shift_start_h, cfg.shift_end_h)
        self.pick_start_s = np.full(n_orders, np.nan)
        self.picked_s = np.full(n_orders, np.nan)
        self.packed_s = np.full(n_orders, np.nan)
        self.backlog = TimeWeighted("backlog")
        self.surge_calls: list[tuple[float, float, float]] = []  # (called, arrived, released)
        self._surge_state = "off"  # off -> called -> on -> off
        self.picking = Stage(env, "pickers", pick_s, shift, self._pick_started, self._picked)
        self.picking.hire(cfg.pickers)
        self.packing: Stage | None = None
        if cfg.packers > 0:
            self.packing = Stage(env, "packers", pack_s, shift, _ignore, self._packed)
            self.packing.hire(cfg.packers)

    def place(self, order: int) -> None:
        """A new order enters the warehouse now."""
        self.backlog.add(self.env.now, 1)
        self.picking.arrive(order)
        self._maybe_call_surge()

    def feed(self, order_times: np.ndarray) -> ProcessGenerator:
        """SimPy process placing the orders at their times."""
        env = self.env
        for order, t in enumerate(order_times.tolist()):
            if t > env.now:
                yield env.timeout(t - env.now)
            self.place(order)

    def _pick_started(self, order: int, t: float) -> None:
        self.pick_start_s[order] = t

    def _picked(self, order: int, t: float) -> None:
        self.picked_s[order] = t
        if self.packing is None:
            self._packed(order, t)
        else:
            self.packing.arrive(order)

    def _packed(self, order: int, t: float) -> None:
        self.packed_s[order] = t
        self.backlog.add(t, -1)
        if self._surge_state == "on" and self.backlog.value < self.cfg.surge.release_below_orders:
            self._surge_state = "off"
            self.picking.release_surge()
            if self.packing is not None:
                self.packing.release_surge()
            called, arrived, _ = self.surge_calls[-1]
            self.surge_calls[-1] = (called, arrived, t)

    def _maybe_call_surge(self) -> None:
        surge = self.cfg.surge
        if surge.policy == "backlog_threshold" and self._surge_state == "off" and self.backlog.value >= surge.threshold_orders:
            self._surge_state = "called"
            self.env.process(self._surge_arrives())

    def _surge_arrives(self) -> ProcessGenerator:
        called = self.env.now
        yield self.env.timeout(self.cfg.surge.lead_time_h * SECONDS_PER_HOUR)
        self._surge_state = "on"
        self.surge_calls.append((called, self.env.now, float("nan")))
        self.picking.hire(self.cfg.surge.pickers, surge=True)
        if self.packing is not None:
            self.packing.hire(self.cfg.surge.packers, surge=True)

    def stages(self) -> list[Stage]:
        return [s for s in (self.picking, self.packing) if s is not None]

    def staff_hours(self, t0: float, t1: float) -> tuple[float, float]:
        """(regular, surge) staff hours on shift over [t0, t1]."""
        total = sum(s.staffed.integral(t0, t1) for s in self.stages()) / SECONDS_PER_HOUR
        surge = sum(s.surge_staffed.integral(t0, t1) for s in self.stages()) / SECONDS_PER_HOUR
        return total - surge, surge


def _ignore(order: int, t: float) -> None:
    return None
