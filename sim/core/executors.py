"""Where runs execute: in this process, on a local process pool, or on a Dask cluster.

Every executor returns results in the order of the jobs, and a job's result depends only on the
job (its scenario, variant and replication index), never on the worker that ran it, so the same
work gives bit-identical results on every executor.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from .errors import ParcelsimError
from .processes import die_with_parent

__all__ = ["DASK_CONFIG_FILE", "Executor", "default_jobs", "local_cluster", "make_executor", "run_all"]

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Runs ``fn`` over ``items`` and yields ``(index, result)`` as results arrive."""

    workers: int

    def run(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]: ...


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class SerialExecutor:
    workers = 1

    def run(self, fn, items):
        for i, item in enumerate(items):
            yield i, fn(item)


class PoolExecutor:
    """A local process pool with ``jobs`` worker processes, started at the first batch and kept
    for the next ones (a run of many station areas sends one batch per run) until ``close``."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.workers = jobs
        self._pool: ProcessPoolExecutor | None = None

    def run(self, fn, items):
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=die_with_parent, initargs=(os.getpid(),))
        futures = {self._pool.submit(fn, item): i for i, item in enumerate(items)}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()  # after a failure, do not run the rest of the batch

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


DASK_CONFIG_FILE = Path(__file__).with_name("dask.yaml")


def local_cluster(workers: int):
    """A Dask LocalCluster of single-threaded worker processes, with parcelsim's Dask settings
    (``sim/core/dask.yaml``, where each is explained)."""
    import dask
    from dask.distributed import LocalCluster

    # Dask sets its workers' pre-spawn variables in this process (see its Nanny docs), so a cluster
    # started earlier here leaves MALLOC_TRIM_THRESHOLD_ behind for new workers to inherit.
    os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    # Merge each section into the current one: setting a section as it stands in the file would
    # drop the settings the file does not name.
    ours = yaml.safe_load(DASK_CONFIG_FILE.read_text())
    with dask.config.set({section: dask.config.merge(dask.config.get(section), tree) for section, tree in ours.items()}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)


class DaskExecutor:
    """A Dask distributed cluster: ``tcp://host:port`` of a running scheduler, or ``local``."""

    def __init__(self, address: str, workers: int | None = None) -> None:
        try:
            from dask.distributed import Client
        except ImportError:
            raise ParcelsimError(
                "a Dask scheduler needs dask.distributed: pip install 'parcelsim[dask]'", param="scheduler"
            ) from None
        self._cluster = None
        if address == "local":
            self._cluster = local_cluster(workers or default_jobs())
            self.client = Client(self._cluster)
        else:
            try:
                self.client = Client(address, timeout=10)
            except OSError as exc:
                raise ParcelsimError(f"cannot reach the Dask scheduler at {address} ({exc})", param="scheduler") from None

    @property
    def workers(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def run(self, fn, items):
        from dask.distributed import as_completed as dask_completed

        futures = self.client.map(fn, list(items), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for future in dask_completed(futures):
            yield index[future.key], future.result()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


@contextmanager
def make_executor(jobs: int | None = None, scheduler: str | None = None):
    """The executor for ``--jobs`` / ``--scheduler`` (``jobs=1`` runs in this process)."""
    if scheduler:
        ex = DaskExecutor(scheduler, workers=jobs)
        try:
            yield ex
        finally:
            ex.close()
        return
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise ParcelsimError(f"must be at least 1 (got {jobs})", param="jobs")
    if jobs == 1:
        yield SerialExecutor()
        return
    pool = PoolExecutor(jobs)
    try:
        yield pool
    finally:
        pool.close()


def run_all(
    executor: Executor,
    fn: Callable[[T], R],
    items: Sequence[T],
    label: str = "runs",
    on_result: Callable[[int, R], Any] | None = None,
) -> list[R]:
    """Run every item, with a progress bar on a terminal; results in item order."""
    results: list[Any] = [None] * len(items)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), disable=not sys.stderr.isatty(), transient=True) as progress:
        task = progress.add_task(label, total=len(items))
        for i, result in executor.run(fn, items):
            results[i] = result
            if on_result is not None:
                on_result(i, result)
            progress.advance(task)
    return results
