"""Type aliases shared across the package."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, TypeVar

import simpy

__all__ = ["ProcessGenerator"]

_R = TypeVar("_R")

# A SimPy process: yields events, receives their values, may return a result to ``yield from``.
ProcessGenerator = Generator[simpy.Event, Any, _R]
