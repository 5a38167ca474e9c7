"""Typed columnar tables: a frozen dataclass whose fields are numpy columns of one length.

A subclass names its columns as fields and gives each its dtype with ``column``; a type checker
and a reader see them (``tours.ride_m``), unlike a dict of arrays keyed by strings. Rows are built
elsewhere as named tuples by keyword and turned into columns once, with ``from_rows``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Self

import numpy as np

__all__ = ["Table", "column"]


def column(dtype: type | np.dtype) -> Any:
    """A field of a ``Table`` holding one column of ``dtype`` (empty until set)."""
    return dataclasses.field(default_factory=lambda: np.zeros(0, dtype=dtype), metadata={"dtype": np.dtype(dtype)})


@dataclasses.dataclass(frozen=True)
class Table:
    """Columns of equal length, one per dataclass field of the subclass, in field order."""

    @classmethod
    def column_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def _dtype(cls, name: str) -> np.dtype:
        return next(f.metadata["dtype"] for f in dataclasses.fields(cls) if f.name == name)

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[Any, ...]], **constants: Any) -> Self:
        """A table from rows whose items are the leading columns in order (named tuples built by
        keyword); ``constants`` fill the remaining columns with one value each (e.g. ``station=3``)."""
        names = cls.column_names()
        leading = [n for n in names if n not in constants]
        if rows:
            values = list(zip(*rows, strict=True))
            if len(values) != len(leading):
                raise ValueError(f"{cls.__name__}: rows of {len(values)} items for the columns {leading}")
            columns = {n: np.asarray(v, dtype=cls._dtype(n)) for n, v in zip(leading, values, strict=True)}
        else:
            columns = {n: np.zeros(0, dtype=cls._dtype(n)) for n in leading}
        n = len(rows)
        columns.update({k: np.full(n, v, dtype=cls._dtype(k)) for k, v in constants.items()})
        return cls(**columns)

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any]) -> Self:
        """A table from a mapping of column name to values (other keys are ignored): a Parquet part
        read back, a DataFrame's columns."""
        return cls(**{n: np.asarray(columns[n], dtype=cls._dtype(n)) for n in cls.column_names()})

    @classmethod
    def concat(cls, tables: Sequence[Self]) -> Self:
        if not tables:
            return cls()
        return cls(**{n: np.concatenate([getattr(t, n) for t in tables]) for n in cls.column_names()})

    def columns(self) -> dict[str, np.ndarray]:
        """Every column by name, in order (what is written to Parquet)."""
        return {n: getattr(self, n) for n in self.column_names()}

    def take(self, rows: np.ndarray) -> Self:
        """The rows at ``rows`` (indices or a boolean mask)."""
        return type(self)(**{n: c[rows] for n, c in self.columns().items()})

    def replace(self, **columns: np.ndarray) -> Self:
        return dataclasses.replace(self, **columns)

    def to_pandas(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.columns())

    def __len__(self) -> int:
        first = dataclasses.fields(self)[0].name
        return len(getattr(self, first))
