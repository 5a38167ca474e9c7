"""The app server's lifetime (issue #22): it serves, stops on SIGTERM and Ctrl-C, and never outlives
the process that started it. No browser needed; the app extra is."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import urllib.request

import pytest

from .conftest import ROOT, app_server

pytest.importorskip("panel", reason="the app extra is not installed (pip install -e '.[app]')")
psutil = pytest.importorskip("psutil")


def _port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_the_app_serves_its_page_and_stops_cleanly_on_a_signal(sig):
    with app_server(_port()) as server:
        page = urllib.request.urlopen(server.url, timeout=120).read().decode()
        assert "parcelsim" in page  # the page's title, sent before any simulation
        server.process.send_signal(sig)
        out, _ = server.process.communicate(timeout=60)
    assert server.process.returncode == 0
    assert "stopped" in out and "Traceback" not in out


def test_the_app_server_dies_with_a_parent_killed_by_sigkill(tmp_path):
    """A parent that starts the server the way the tests do, then is killed with -9 (no cleanup runs)."""
    parent_script = tmp_path / "parent.py"
    parent_script.write_text(
        textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from tests.conftest import app_server
        with app_server({_port()}) as server:
            print(server.process.pid, flush=True)
            time.sleep(600)
    """),
        encoding="utf-8",
    )
    parent = subprocess.Popen([sys.executable, str(parent_script)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        server = psutil.Process(int(parent.stdout.readline()))
        assert server.is_running()
        parent.kill()
        parent.wait()
        _, alive = psutil.wait_procs([server], timeout=60)
        assert not alive, "the app server outlived its parent"
    finally:
        parent.kill()
        parent.stdout.close()
