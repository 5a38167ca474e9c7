"""Shared pieces of the scenario schema: the strict section base and per-size values."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

__all__ = ["HOURS_PER_DAY", "MAX_SEED", "SIZES", "Section", "SizeCounts", "SizeFees", "SizeShares", "SizeWeights", "ordered"]

SIZES = ("S", "M", "L")
MAX_SEED = 2**63 - 1  # seeds feed numpy's SeedSequence through 64-bit arithmetic
_NUMBERS = (int, float, int | None, float | None)
HOURS_PER_DAY = 24


def ordered(low: float, high: float, low_name: str, high_name: str) -> None:
    if low > high:
        raise ValueError(f"{low_name} ({low:g}) must not exceed {high_name} ({high:g})")


class Section(BaseModel):
    """Common configuration: unknown keys are errors, values are immutable once loaded, NaN and
    infinity are refused in every number (lists included), and true/false is not a number."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _bools_are_not_numbers(cls, v: Any, info: ValidationInfo) -> Any:
        if isinstance(v, bool) and info.field_name is not None:
            annotation = cls.model_fields[info.field_name].annotation
            if annotation in _NUMBERS:
                raise ValueError(f"{str(v).lower()} is not a number")
        return v


class SizeCounts(Section):
    """Locker slots of each size."""

    S: int = Field(ge=0, le=10_000, description="Small slots")
    M: int = Field(ge=0, le=10_000, description="Medium slots")
    L: int = Field(ge=0, le=10_000, description="Large slots")


class SizeShares(Section):
    """Shares of parcel sizes; they sum to 1."""

    S: float = Field(ge=0, le=1, description="Share of small parcels")
    M: float = Field(ge=0, le=1, description="Share of medium parcels")
    L: float = Field(ge=0, le=1, description="Share of large parcels")

    @model_validator(mode="after")
    def _sum_to_one(self) -> SizeShares:
        total = self.S + self.M + self.L
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"S + M + L must sum to 1, got {total:g}")
        return self


class SizeFees(Section):
    """A charge per parcel by the size of the locker slot it takes (yuan)."""

    S: float = Field(ge=0, le=100, description="Per parcel in a small slot (yuan)")
    M: float = Field(ge=0, le=100, description="Per parcel in a medium slot (yuan)")
    L: float = Field(ge=0, le=100, description="Per parcel in a large slot (yuan)")


class SizeWeights(Section):
    """Weight of a parcel of each size."""

    S: float = Field(gt=0, le=50, description="Weight of a small parcel (kg)")
    M: float = Field(gt=0, le=50, description="Weight of a medium parcel (kg)")
    L: float = Field(gt=0, le=50, description="Weight of a large parcel (kg)")
