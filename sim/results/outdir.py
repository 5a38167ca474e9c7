"""Results folders that are safe by construction: locked while written, complete or absent.

A command writes its results into a hidden sibling of the folder asked for (``.NAME.partial-PID``)
and moves them into place only when everything is written, so a killed run never leaves a folder
that looks complete; an exclusive lock (``.NAME.lock``, ``flock``) makes a second command writing
the same folder fail at once. With ``force`` only the files this tool writes are replaced; anything
else in the folder is left alone.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core.errors import ResultsError
from .tables import TABLES

__all__ = ["file_written_whole", "locked", "writing"]

# What a command of this tool writes into a results folder (everything else there is the user's).
OWN_NAMES = (
    "scenario.resolved.yaml",
    "meta.json",
    "kpis.json",
    "kpis.csv",
    "income_breakdown.csv",
    "by_day.csv",
    "by_weekday.csv",
    "differences.csv",
    "report.html",
    "lade_summary.parquet",
    "lade_statistics.csv",
    "scenario.calibrated.yaml",
    "calibration.csv",
    "calibration.json",
    "capacity.csv",
    "capacity.json",
    "design.scenario.yaml",
    "design_candidates.csv",
    "design.json",
    "design.md",
    *(f"{name}.parquet" for name in TABLES),
)


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the exclusive lock of ``out`` (raises ``ResultsError`` at once if another process has it)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out.parent / f".{out.name}.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            raise ResultsError(
                f"{out}: another parcelsim command (pid {holder}) is writing it; wait for it or choose another folder"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock, also when the process is killed


@contextmanager
def writing(out: Path, force: bool) -> Iterator[Path]:
    """Lock ``out`` and yield a hidden temporary sibling to write the results into; when the block
    ends normally, its files move into ``out`` (with ``force``, replacing only this tool's files)."""
    out = Path(out)
    with locked(out):
        if out.exists() and not out.is_dir():
            raise ResultsError(f"{out} exists and is not a folder", param="out")
        if out.exists() and any(out.iterdir()) and not force:
            raise ResultsError(
                f"{out} is not empty; choose another folder or pass force=True to replace its results", param="out"
            )
        for stale in out.parent.glob(f".{out.name}.partial-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a killed run: no one else writes while we hold the lock
        temporary = out.parent / f".{out.name}.partial-{os.getpid()}"
        temporary.mkdir()
        try:
            yield temporary
            _move_into_place(temporary, out)
        finally:
            shutil.rmtree(temporary, ignore_errors=True)


@contextmanager
def file_written_whole(out: Path, force: bool) -> Iterator[Path]:
    """A hidden temporary file beside ``out`` to write into; it replaces ``out`` when the block ends
    normally, so the file appears whole or not at all. An existing ``out`` needs ``force``."""
    if out.exists() and not force:
        raise ResultsError(f"{out}: exists; pass force=True to replace it", param="out")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=out.parent, prefix=f".{out.name}.", delete=False) as part:
        temporary = Path(part.name)
    try:
        yield temporary
        # tempfile creates files readable by their owner alone; the file a user gets follows their umask.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it is to set it: put it back at once
    os.umask(mask)
    return mask


def _move_into_place(temporary: Path, out: Path) -> None:
    if not out.exists() or not any(out.iterdir()):
        if out.exists():
            out.rmdir()
        os.replace(temporary, out)
        return
    for name in OWN_NAMES:  # the results replaced (force): only what this tool writes
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    for png in (out / "charts").glob("*.png"):
        png.unlink()
    for entry in temporary.iterdir():
        target = out / entry.name
        if entry.is_dir() and target.is_dir():  # charts/: the user's other files there stay
            for item in entry.iterdir():
                os.replace(item, target / item.name)
        else:
            os.replace(entry, target)
