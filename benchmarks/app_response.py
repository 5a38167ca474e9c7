"""How fast the what-if page answers (issue #22): wall times of what a user meets, from a fresh process.

- start: from launching ``parcelsim app --no-browser`` to its first served page (HTTP 200);
- first verdict: from opening the page in a browser to the verdict being shown (the first runs);
- fee change: from a key press on the fee slider to the verdict changing (a re-pricing, no simulation);
- stop: from SIGTERM to the process having exited.

The browser figures need Playwright and Debian's chromium (``make test`` installs both); without
them only start and stop are measured.

Run: python benchmarks/app_response.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _browser_times(url: str) -> tuple[float, float] | None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        t0 = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(".verdict-en", timeout=600_000)
        first = time.perf_counter() - t0
        before = page.locator(".verdict-en").inner_text()
        page.locator(".door-fee .noUi-handle").focus()
        t0 = time.perf_counter()
        page.keyboard.press("ArrowRight")
        while page.locator(".verdict-en").inner_text() == before:
            page.wait_for_timeout(10)
        fee = time.perf_counter() - t0
        browser.close()
    return first, fee


def once() -> dict[str, float]:
    port = _port()
    url = f"http://127.0.0.1:{port}/"
    t0 = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "sim", "app", "--no-browser", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=600).read()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("the app server stopped before serving") from None
                time.sleep(0.05)
        out = {"start_s": time.perf_counter() - t0}
        browser = _browser_times(url)
        if browser is not None:
            out["first_verdict_s"], out["fee_change_s"] = browser
        t0 = time.perf_counter()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        out["stop_s"] = time.perf_counter() - t0
        return out
    finally:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = [once() for _ in range(args.repeat)]
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(f"{key:>16}: median {statistics.median(values):.2f} s  (runs: {', '.join(f'{v:.2f}' for v in values)})")


if __name__ == "__main__":
    main()
