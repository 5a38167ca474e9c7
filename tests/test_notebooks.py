"""The notebooks run top to bottom on a fresh install, and are committed without outputs."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_four_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == [
        "01_quickstart.ipynb",
        "02_door_vs_locker.ipynb",
        "03_flash_sale.ipynb",
        "04_build_your_own.ipynb",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stripped_and_runs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{path.name}: outputs must be stripped in git"
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    images = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {}))
    assert images >= 2, f"{path.name} should draw its charts"
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("output_type") == "error"]
    assert not errors


_NUMBER = re.compile(r"(?<![\w.§])(?:\d{1,2}:\d{2}|\d[\d,]*(?:\.\d+)?%?)(?![\w])")


def _value(text: str) -> float:
    """A number as prose writes it: 5,000; 0.8; 95% (0.95); 08:00 (hours)."""
    if text.endswith("%"):
        return float(text[:-1].replace(",", "")) / 100
    if ":" in text:
        hours, minutes = text.split(":")
        return int(hours) + int(minutes) / 60
    return float(text.replace(",", ""))


def _at(tree, path: str):
    for key in path.split("."):
        tree = tree[int(key)] if isinstance(tree, list | tuple) else tree[key]
    return tree


def prose_problems(nb, folder) -> list[str]:
    """What is wrong with the numbers a notebook's prose states. Results belong to code cells (their
    Markdown output is computed); markdown may quote only inputs and published figures, each listed
    in the notebook's ``metadata.parcelsim.quoted`` with where it comes from, and checked there:
    ``scenario:PATH`` or ``scenario[VARIANT]:PATH`` (the scenario's value), ``sources`` (a figure of
    docs/background/sources.md), ``code`` (a value a code cell sets)."""
    from sim.scenario.load import load_scenario

    meta = nb.metadata.get("parcelsim", {})
    quoted: dict[str, str] = meta.get("quoted", {})
    scenario = load_scenario(folder / meta["scenario"]) if "scenario" in meta else None
    sources = (ROOT / "docs" / "background" / "sources.md").read_text(encoding="utf-8")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    problems = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for number in _NUMBER.findall(cell.source):
            if number not in quoted:
                problems.append(f"{number!r} in prose is neither an input nor a source (compute it in a code cell)")
    for number, origin in quoted.items():
        where, _, path = origin.partition(":")
        if where == "sources":
            ok = re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", sources) is not None
        elif where == "code":
            written = number.replace(",", "") if not number.endswith("%") else repr(_value(number))
            ok = re.search(rf"(?<![\d.]){re.escape(written)}(?![\d])", code) is not None
        elif where.startswith("scenario") and scenario is not None:
            variant = where[len("scenario[") : -1] if where.endswith("]") else None
            tree = (scenario.resolved(variant) if variant else scenario).model_dump()
            try:
                ok = abs(float(_at(tree, path)) - _value(number)) < 1e-9
            except (KeyError, IndexError, TypeError, ValueError):
                ok = False
        else:
            ok = False
        if not ok:
            problems.append(f"{number!r} is said to come from {origin}, which does not say it")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_prose_states_results_only_through_code(path):
    assert prose_problems(nbformat.read(path, as_version=4), path.parent) == []


def test_a_stale_number_planted_in_prose_is_caught():
    path = ROOT / "notebooks" / "02_door_vs_locker.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("Break-even is about 2.3 yuan at capacity."))
    assert prose_problems(nb, path.parent) == ["'2.3' in prose is neither an input nor a source (compute it in a code cell)"]
    nb = nbformat.read(path, as_version=4)
    nb.metadata["parcelsim"]["quoted"]["0.8"] = "scenario:economics.locker_fee_yuan"  # a quote given a wrong origin
    assert prose_problems(nb, path.parent) == [
        "'0.8' is said to come from scenario:economics.locker_fee_yuan, which does not say it"
    ]
