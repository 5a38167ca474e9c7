"""report.html in a real browser: Debian's chromium, driven by Playwright (issue #16).

Skipped, with the reason, where Playwright or chromium is missing; ``make test`` installs chromium
with apt where it can. Screenshots are saved in the test's temporary folder for inspection."""

from __future__ import annotations

import shutil
from collections.abc import Callable

import numpy as np
import pytest
import yaml

from sim.cli.main import main

from .conftest import SMALL, app_server

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
def browser():
    with sync_api.sync_playwright() as p:  # one Playwright per thread: every test shares it
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(report, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.problems = []
    page.requests = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("request", lambda r: page.requests.append(r.url))
    page.goto(report.as_uri())
    page.wait_for_function("window.parcelsimReplay && window.parcelsimReplay.frames > 0")
    yield page
    page.close()


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


def _cjk_without_a_font(page) -> list[str]:
    """Texts with CJK characters (in every shadow root too) that the browser drew with fewer CJK
    glyphs from a web font than they have CJK characters: boxes on a machine without CJK fonts.
    Chromium's DevTools protocol says which fonts drew each element's text, and how many glyphs each."""
    import re

    cjk = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
    parents: dict[int, str] = {}

    def walk(node, parent):
        if node.get("nodeType") == 3 and cjk.search(node.get("nodeValue", "")) and parent is not None:
            parents[parent] = parents.get(parent, "") + node["nodeValue"]
        if node.get("nodeName") in ("SCRIPT", "STYLE", "TEXTAREA"):
            return
        for child in [
            *node.get("children", []),
            *node.get("shadowRoots", []),
            *([node["contentDocument"]] if "contentDocument" in node else []),
        ]:
            walk(child, node["nodeId"] if node.get("nodeType") == 1 else parent)

    walk(root, None)
    missing = []
    for node_id, text in parents.items():
        try:
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
        except sync_api.Error:  # a node that is not rendered (display: none) has no fonts
            continue
        if not fonts:
            continue
        web = sum(f["glyphCount"] for f in fonts if f["isCustomFont"])
        if web < len(cjk.findall(text)):
            missing.append(f"{text.strip()!r}: {fonts}")
    cdp.detach()
    assert parents, "no CJK text found on the page"
    return missing


def test_every_chinese_character_of_the_report_is_drawn_by_its_font(page):
    assert _cjk_without_a_font(page) == []


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app():
    pytest.importorskip("panel", reason="the app extra is not installed (pip install -e '.[app]')")
    with app_server(_free_port()) as server:
        yield server


def _wait_for(page, selector: str, server_alive: Callable[[], bool]) -> None:
    """Wait for ``selector`` while the server lives: the signal is the page's own, not a time budget
    (the loop ends if the server dies, and after an hour as a guard against a hung run)."""
    for _ in range(3600):
        try:
            page.wait_for_selector(selector, timeout=1000)
            return
        except sync_api.TimeoutError:
            assert server_alive(), "the app server died"
    raise AssertionError(f"{selector} never appeared")


def test_the_app_serves_at_once_and_its_verdict_follows_the_fee(app, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(app.url)
    _wait_for(page, ".verdict-en", app.alive)
    before = page.locator(".verdict-en").inner_text()
    assert "per hour worked" in before and "fee gap is 0.3 yuan a parcel nominal" in before
    page.locator(".door-fee .noUi-handle").focus()
    for _ in range(10):  # ten steps of 0.05 yuan: the fee goes from 0.8 to 1.3
        page.keyboard.press("ArrowRight")
    # The page's elements sit in shadow roots: Playwright's locators reach them, document.querySelector does not.
    _wait_for(page, ".verdict-en:has-text('fee gap is 0.8 yuan')", app.alive)  # 1.3 yuan, 0.8 above the locker fee
    assert page.locator(".verdict-en").inner_text() != before
    shot = tmp_path / "app.png"
    page.screenshot(path=str(shot))
    assert _not_blank(shot) and problems == []
    assert _cjk_without_a_font(page) == []  # buttons, headings and table heads alike
    page.close()
