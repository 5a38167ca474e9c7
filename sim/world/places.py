"""Places: the points a courier stops at, numbered so that one small integer says where.

Place 0 is the station; place ``c + 1`` is the gate of compound ``c``. Distance tables, the tracking
log's ``place`` column and the stop log all use this numbering; this module is the only place
that spells it out.
"""

from __future__ import annotations

from typing import Final, TypeVar

import numpy as np

__all__ = ["Place"]

IntOrArray = TypeVar("IntOrArray", int, np.ndarray)


class Place:
    """Conversions between place numbers and compounds (scalars or numpy arrays)."""

    STATION: Final = 0

    @staticmethod
    def of_compound(compound: IntOrArray) -> IntOrArray:
        """The place of a compound's gate."""
        return compound + 1

    @staticmethod
    def compound(place: IntOrArray) -> IntOrArray:
        """The compound whose gate is at ``place`` (meaningless for the station)."""
        return place - 1

    @staticmethod
    def is_compound(place: IntOrArray) -> bool | np.ndarray:
        """True where the place is a compound gate (not the station, not 'nowhere' = -1)."""
        return place > 0
