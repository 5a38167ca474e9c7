"""The field-validation page: every replayed study run, its Markdown table and its chart written."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

from ..experiments.field import FieldResult, field_report
from . import plots

__all__ = ["PAGE", "write_field_page"]

PAGE = "field_validation.md"
CHART = "field_validation.png"


def write_field_page(folder: Path, replications: int = 10, jobs: int = 1) -> tuple[Path, list[FieldResult]]:
    """Replay every field study and write ``field_validation.md`` and its chart into ``folder``;
    returns the page's path and the results."""
    text, results = field_report(replications, jobs, chart=CHART)
    folder.mkdir(parents=True, exist_ok=True)
    fig = plots.field_chart(results)
    fig.savefig(folder / CHART, dpi=110)
    plt.close(fig)
    page = folder / PAGE
    page.write_text(text, encoding="utf-8")
    return page, results
