"""Child processes that never outlive their parent: pool workers, the app server in tests.

Linux delivers a signal to a process whose parent dies when it asked for one with
``prctl(PR_SET_PDEATHSIG)``; that holds for ``kill -9`` of the parent too, when no cleanup code runs.
"""

from __future__ import annotations

import os
import signal
import threading
import time

__all__ = ["die_with_parent", "signal_when_parent_dies"]

_PR_SET_PDEATHSIG = 1


def signal_when_parent_dies(sig: int = signal.SIGTERM) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False where it cannot (not Linux)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def die_with_parent(parent: int | None = None) -> None:
    """In a child process: stop (SIGTERM) when ``parent`` (default: the current parent) dies.

    Where ``prctl`` is missing (not Linux), a daemon thread checks for the parent every second.
    Resets SIGTERM to its default, so the child stops instead of running an inherited handler.
    """
    parent = os.getppid() if parent is None else parent
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if signal_when_parent_dies():
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
