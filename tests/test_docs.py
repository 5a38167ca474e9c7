"""The docs cannot go stale: generated pages are current, examples run, the schema fits every scenario."""

from __future__ import annotations

import importlib.util
import json
import re

import jsonschema
import pytest
import yaml

from sim.cli.main import main
from sim.model.metrics import UPSTREAM_KPIS, kpis_of
from sim.model.run import simulate
from sim.model.tracking import Status

from .conftest import ROOT, small_scenario

DOCS = ROOT / "docs"


def _generator():
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "part",
    [
        "reference",
        pytest.param("validation", marks=pytest.mark.slow),
        pytest.param("field", marks=pytest.mark.slow),
        pytest.param("tutorial", marks=pytest.mark.slow),
    ],
)
def test_generated_pages_are_current(part):
    generate = _generator()
    for path, text in generate.PARTS[part]().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.relative_to(ROOT)} is stale: run python docs/generate.py {part}"


def test_schema_command_validates_every_shipped_scenario(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert len(files) >= 4
    for path in files:
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8"))))
        assert not errors, f"{path.name}: {errors[0].message}"
    assert list(validator.iter_errors({"citty": {}}))  # unknown keys are schema errors too
    assert list(validator.iter_errors({"couriers": {"count": 0}}))


def test_every_kpi_and_status_is_defined_in_the_reference():
    text = (DOCS / "reference" / "kpis.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z0-9_]+)`", text))
    kpis = set(kpis_of(simulate(small_scenario(), "mixed")))
    kpis |= set(UPSTREAM_KPIS)
    missing = sorted(k for k in kpis if k not in documented)
    assert not missing, f"KPIs missing from docs/reference/kpis.md: {missing}"
    for status in Status:
        assert f"`{status.label}` | {status.chinese}" in text


def test_links_between_docs_resolve():
    pages = [*DOCS.rglob("*.md"), ROOT / "README.md"]
    for page in pages:
        for target in re.findall(r"\]\(([^)#:]+?)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links to missing {target}"


@pytest.mark.slow
def test_the_readme_python_examples_run(tmp_path, monkeypatch):
    """Every ```python block of the README, run in order as a user would paste them (a results folder
    the examples read is made first; ``dist_matrix`` stands for the user's own distances)."""
    import numpy as np

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    monkeypatch.chdir(ROOT)
    out = tmp_path / "demo"
    assert main(["run", "scenarios/door_vs_locker.yaml", "--out", str(out), "--no-charts"]) == 0
    namespace = {"dist_matrix": np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.5], [2.0, 1.5, 0.0]])}
    for block in blocks:
        exec(compile(block.replace('"results/demo"', repr(str(out))), "README.md", "exec"), namespace)
