"""report.html in a real browser: Debian's chromium, driven by Playwright (issue #16).

Skipped, with the reason, where Playwright or chromium is missing; ``make test`` installs chromium
with apt where it can. Screenshots are saved in the test's temporary folder for inspection."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import yaml

from sim.cli import main

from .conftest import SMALL

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[dev]')")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (sudo apt-get install chromium)")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    made = tmp_path_factory.mktemp("browser")
    scenario = made / "small.yaml"
    scenario.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
    assert main(["run", str(scenario), "--out", str(made / "run"), "--reps", "2"]) == 0
    return made / "run" / "report.html"


@pytest.fixture(scope="module")
def page(report):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.problems = []
        page.requests = []
        page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        page.on("request", lambda r: page.requests.append(r.url))
        page.goto(report.as_uri())
        page.wait_for_function("window.parcelsimReplay && window.parcelsimReplay.frames > 0")
        yield page
        browser.close()


def _not_blank(path) -> bool:
    from matplotlib.image import imread

    pixels = imread(path)[..., :3]
    return float(np.std(pixels)) > 0.05 and len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50


def test_the_report_opens_offline_without_errors(page, tmp_path):
    assert page.problems == []
    assert [url for url in page.requests if not url.startswith(("file:", "data:"))] == []
    assert "per hour worked" in page.inner_text("#verdict-en")
    assert "时薪" in page.inner_text("#verdict-zh")
    assert page.locator("#fig-comparison .main-svg").count() > 0  # plotly drew the comparison
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert _not_blank(shot)


def test_the_replay_advances_when_played(page, tmp_path):
    page.locator("#replay").scroll_into_view_if_needed()
    before = page.evaluate("window.parcelsimReplay.t")
    page.click("#play")
    page.wait_for_function(f"window.parcelsimReplay.t > {before} + 600")  # ten simulated minutes
    page.click("#play")  # pause
    shot = tmp_path / "replay.png"
    page.locator("#replay").screenshot(path=str(shot))
    assert _not_blank(shot)
    legend = page.inner_text("#legend")
    assert "delivered" in legend and "courier" in legend


def test_the_tracking_lookup_shows_a_timeline(page, tmp_path):
    first = page.evaluate("JSON.parse(document.getElementById('data').textContent).replay.parcels.id[0]")
    page.fill("#parcel-id", str(first))
    page.click("#lookup")
    rows = page.locator("#timeline tr")
    assert rows.count() >= 2
    assert "到达网点 at_station" in page.inner_text("#timeline")
    page.fill("#parcel-id", "99999999")
    page.click("#lookup")
    assert "not in the replayed run" in page.inner_text("#timeline")
    page.locator("#tracking").screenshot(path=str(tmp_path / "tracking.png"))
