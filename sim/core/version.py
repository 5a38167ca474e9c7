"""Which parcelsim made a result: the package version and the git revision of the checkout.

A module of its own, with no heavy imports, so that ``parcelsim --version`` and ``--help`` start at once.
"""

from __future__ import annotations

import subprocess
from importlib import metadata
from pathlib import Path

__all__ = ["git_revision", "package_version"]


def package_version() -> str:
    try:
        return metadata.version("parcelsim")
    except metadata.PackageNotFoundError:
        return "unknown"


def git_revision() -> str:
    """The checkout's commit, with ``+dirty`` if it has uncommitted changes; ``unknown`` outside git."""
    here = Path(__file__).resolve().parent
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=here, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + ("+dirty" if dirty.strip() else "")
