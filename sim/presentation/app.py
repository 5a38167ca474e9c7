"""``parcelsim app``: a live what-if page (Panel), served on this machine only by default.

Sliders set the door-service fee, the share of 音尊达 parcels, couriers, the shift's end and the
locker slots; the verdict, the KPIs and the comparison chart follow from ``sim.presentation.whatif`` (a fee is
re-priced at once; other settings simulate the door and locker variants again, with common random
numbers and 95% intervals). Needs the ``app`` extra: ``pip install 'parcelsim[app]'``.

The server answers at once: the page is sent before any simulation, and the first runs are made
when the page has loaded, with "simulating…" shown meanwhile. Every page of the server shares one
``WhatIf``, so a second visitor sees the runs the first one waited for. SIGTERM and Ctrl-C stop the
server within a second or two, also in the middle of a simulation.
"""

from __future__ import annotations

import html
import logging
import os
import signal
import sys
import threading
from typing import Any

from ..scenario.schema import Scenario
from .labels import KPI_ZH
from .webfont import FAMILY, cjk_font_face
from .whatif import Settings, WhatIf

__all__ = ["READY", "build", "serve"]

READY = "ready:"  # the line the server prints (with its address) once it accepts connections
_FONTS = f"{FAMILY}, system-ui, sans-serif"  # the CJK subset first: see report.js
_STOP_GRACE_S = 1.5  # after SIGTERM or Ctrl-C, the longest the server may take to stop by itself
_SHOWN = (
    "parcels_per_courier_day",
    "hours_per_courier_day",
    "income_per_courier_day_yuan",
    "income_per_courier_hour_yuan",
    "same_day_delivery_share",
    "first_attempt_success_share",
)


def build(scenario: Scenario, whatif: WhatIf | None = None) -> Any:
    """The page for one scenario (a Panel layout). Its first answer is computed when the page has
    loaded in a browser (``pn.state.onload``), so that serving the page never waits for a simulation."""
    import panel as pn
    import plotly.graph_objects as go

    from ..core.stats import mean_ci

    whatif = whatif or WhatIf(scenario)
    couriers, shift = scenario.couriers, scenario.couriers
    slots = scenario.city.locker_slots
    door_share = scenario.variants[whatif.a].door_service_share
    fee = pn.widgets.FloatSlider(
        name="Door-service fee 上门派费 (yuan)",
        start=0.3,
        end=3.0,
        step=0.05,
        value=scenario.economics.door_service_fee_yuan,
        css_classes=["door-fee"],
    )
    share = pn.widgets.FloatSlider(
        name="Share of 音尊达 parcels in the door variant",
        start=0.0,
        end=1.0,
        step=0.05,
        value=1.0 if door_share is None else door_share,
        css_classes=["door-share"],
    )
    count = pn.widgets.IntSlider(name="Couriers 快递员", start=1, end=max(2 * couriers.count, 10), value=couriers.count)
    end = pn.widgets.FloatSlider(
        name="Shift ends 下班 (h)", start=shift.shift_start_h + 4, end=24, step=0.5, value=shift.shift_end_h
    )
    lockers = pn.widgets.IntSlider(
        name="Slots per locker bank 格口", start=10, end=300, step=2, value=slots.S + slots.M + slots.L
    )
    reps = pn.widgets.IntSlider(name="Replications (CRN) 重复次数", start=2, end=8, value=3)
    verdict = pn.pane.HTML(
        "<p class='waiting'>Simulating the first runs… 正在模拟</p>", css_classes=["verdict"], sizing_mode="stretch_width"
    )
    table = pn.pane.HTML("", sizing_mode="stretch_width")
    chart = pn.pane.Plotly(go.Figure(), sizing_mode="stretch_width", height=380)
    status = pn.pane.Markdown("simulating the first runs…", css_classes=["status"])

    def update(*_: Any) -> None:
        settings = Settings(fee.value, share.value, count.value, end.value, lockers.value, int(reps.value or 2))
        status.object = "simulating…" if whatif.needs_simulation(settings) else "re-pricing…"
        answer = whatif.answer(settings)
        if answer.verdict is None:
            verdict.object = "<p>This scenario needs two variants to compare.</p>"
        else:
            verdict.object = (
                f'<div style="font-family:{_FONTS}; font-size:16px">'
                f'<p class="verdict-en">{html.escape(answer.verdict.sentence())}</p>'
                f'<p class="verdict-zh">{html.escape(answer.verdict.sentence_zh())}</p></div>'
            )
        variants = list(dict.fromkeys(answer.kpis["variant"]))
        rows = []
        for key in _SHOWN:
            cells = []
            for v in variants:
                mean, half, _n = mean_ci(answer.kpis[answer.kpis["variant"] == v][key].to_numpy(float))
                cells.append(f"<td>{mean:.3g} ± {half:.2g}</td>")
            rows.append(f"<tr><td>{KPI_ZH.get(key, '')} <small>{key}</small></td>{''.join(cells)}</tr>")
        head = "".join(f"<th>{html.escape(v)}</th>" for v in variants)
        table.object = f'<table style="font-family:{_FONTS}"><tr><th>KPI 指标</th>{head}</tr>{"".join(rows)}</table>'
        fig = go.Figure()
        for v in variants:
            stats = [mean_ci(answer.kpis[answer.kpis["variant"] == v][k].to_numpy(float)) for k in _SHOWN[:4]]
            fig.add_trace(
                go.Bar(
                    name=v,
                    x=[KPI_ZH[k] for k in _SHOWN[:4]],
                    y=[s[0] for s in stats],
                    error_y={"type": "data", "array": [s[1] for s in stats]},
                )
            )
        fig.update_layout(barmode="group", title="door vs locker (mean ± 95% CI)", margin={"t": 50}, font={"family": _FONTS})
        chart.object = fig
        status.object = f"{'simulated' if answer.simulated else 're-priced'} {settings.replications} replications per variant"

    for widget in (share, count, end, lockers, reps):
        widget.param.watch(update, "value_throttled")
    fee.param.watch(update, "value")  # re-pricing is instant: follow the slider as it moves
    pn.state.onload(update)
    controls = pn.Column(
        pn.pane.HTML(f'<h3 style="font-family:{_FONTS}">What if… 假如</h3>'),
        fee,
        share,
        count,
        end,
        lockers,
        reps,
        status,
        width=340,
    )
    title = f"{html.escape(scenario.name)}: should a courier take 音尊达 parcels?"
    body = pn.Column(
        pn.pane.HTML(f'<h2 style="font-family:{_FONTS}">{title}</h2>'), verdict, chart, table, sizing_mode="stretch_width"
    )
    page = pn.Row(controls, body, sizing_mode="stretch_width")
    # Into every component's shadow root, where the page's CSS does not reach: the CJK font.
    font = [f":host, :host * {{ font-family: {_FONTS} !important; }}"]
    for component in page.select():
        component.stylesheets = [*component.stylesheets, *font]
    return page


def _page_font() -> str:
    """CSS with the CJK glyphs the page can show (labels and every Chinese word of the verdict)."""
    from pathlib import Path

    from . import labels, verdict

    words = Path(verdict.__file__).read_text(encoding="utf-8") + Path(labels.__file__).read_text(encoding="utf-8")
    rule = cjk_font_face(words + Path(__file__).read_text(encoding="utf-8"))
    return rule + f"body {{ font-family: {_FONTS}; }}"


class _ClosedSocketNoise(logging.Filter):
    """Drops the tracebacks tornado logs when a browser tab closes while an answer is on its way."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return type(error).__name__ not in ("WebSocketClosedError", "StreamClosedError")


def serve(scenario: Scenario, *, host: str = "127.0.0.1", port: int = 5006, open_browser: bool = True) -> None:
    """Serve the page until SIGTERM or Ctrl-C; prints ``READY`` and the address once it accepts
    connections (what scripts and tests wait for)."""
    import panel as pn

    for name in ("tornado.application", "tornado.general", "bokeh.server.protocol_handler", "bokeh.server.views.ws"):
        logging.getLogger(name).addFilter(_ClosedSocketNoise())
    pn.extension("plotly", raw_css=[_page_font()])
    whatif = WhatIf(scenario)  # shared by every page of this server (callbacks run on one thread)
    server = pn.serve(
        {"/": lambda: build(scenario, whatif)},
        address=host,
        port=port,
        show=open_browser,
        start=False,
        title=f"parcelsim · {scenario.name}",
        websocket_origin=[f"{host}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"],
        verbose=False,
    )
    loop = server.io_loop

    def stop(signum: int, frame: Any) -> None:
        # A simulation may hold the loop's thread: give the loop a moment, then leave regardless.
        loop.asyncio_loop.call_soon_threadsafe(loop.stop)
        deadline = threading.Timer(_STOP_GRACE_S, os._exit, args=(128 + signum,))
        deadline.daemon = True  # a server that stopped in time exits without waiting for it
        deadline.start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.start()
        print(f"{READY} http://{host}:{server.port}/", flush=True)
        loop.start()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
        sys.stdout.flush()
