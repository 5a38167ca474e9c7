"""Named, pluggable pieces of the model (delivery policies, ...), chosen by name in a scenario.

A registry is a leaf: the schema checks names against it, and the modules that define the pieces
fill it when imported (``sim`` imports them all), so the schema never imports the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

__all__ = ["COMPLIANCE_POLICIES", "DELIVERY_POLICIES", "Registry"]

T = TypeVar("T")


class Registry(Generic[T]):
    """Implementations of one kind, by name."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: make ``item`` available to scenarios under ``name`` (replacing an older one)."""

        def add(item: T) -> T:
            self._items[name] = item
            return item

        return add

    def get(self, name: str) -> T:
        """The implementation registered as ``name``; ``ValueError`` naming the known ones if none is."""
        if name not in self._items:
            raise ValueError(f"unknown {self.kind} {name!r}; registered: {', '.join(sorted(self._items))}")
        return self._items[name]

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __delitem__(self, name: str) -> None:
        del self._items[name]

    def __getitem__(self, name: str) -> T:
        return self._items[name]

    def __len__(self) -> int:
        return len(self._items)


DELIVERY_POLICIES: Registry = Registry("delivery policy")
COMPLIANCE_POLICIES: Registry = Registry("compliance policy")
