"""The disk cache of real districts: reading an extract takes seconds, loading a built one does not.

A built ``City`` is pickled under the cache folder (``$PARCELSIM_CACHE``, else
``~/.cache/parcelsim``), keyed by the SHA-256 of its data files and of every setting that shapes it,
so a changed file or setting builds afresh. Entries are written whole (temporary file, then rename),
and one that cannot be read is rebuilt. The cache holds only what this tool wrote there.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from ..core.streams import Streams
from ..scenario.schema import CityConfig, StationConfig
from .city import City
from .district import district_key, generate_district

__all__ = ["cache_folder", "cached_district"]

_VERSION = "2"  # bump when City's fields change, so old entries are not loaded


def cache_folder() -> Path:
    """Where built districts are kept."""
    return Path(os.environ.get("PARCELSIM_CACHE") or Path.home() / ".cache" / "parcelsim") / "districts"


def cached_district(city: CityConfig, station: StationConfig, seed: int) -> City:
    """The real district for these settings: from the cache, else built and cached."""
    path = cache_folder() / f"v{_VERSION}-{district_key(city, station, seed)}.pickle"
    try:
        with path.open("rb") as entry:
            built = pickle.load(entry)
        if isinstance(built, City):
            return built
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass  # not cached yet, or an entry from another version: build it
    built = generate_district(city, station, Streams(seed).for_station(0).generator("city"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as part:
            pickle.dump(built, part, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(part.name, path)
    except OSError:
        pass  # a cache that cannot be written only costs the next run the import time
    return built
