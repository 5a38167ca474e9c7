"""Regenerate the generated parts of the docs: `python docs/generate.py [reference|validation|field|tutorial|all]`.

- docs/reference/scenario.md, cli.md, scenario.schema.json  (from the schema and the CLI)
- docs/background/validation.md                              (runs the validation experiments, ~30 s)
- docs/background/field_validation.md and its chart          (replays the field studies: `parcelsim field`)
- docs/tutorial.md: the output block after each `<!-- run: COMMAND -->` marker (runs the commands)

The test suite (tests/test_docs.py) fails when a committed file differs from what this produces.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
RUN_MARKER = re.compile(r"(<!-- run: (?P<cmd>.+?) -->\n```text\n)(?P<out>.*?)(```)", re.DOTALL)


def reference_files() -> dict[Path, str]:
    from sim.cli.main import help_pages
    from sim.scenario.reference import cli_reference, json_schema_text, scenario_reference

    return {
        DOCS / "reference" / "scenario.md": scenario_reference(),
        DOCS / "reference" / "cli.md": cli_reference(help_pages()),
        DOCS / "reference" / "scenario.schema.json": json_schema_text(),
    }


def validation_files() -> dict[Path, str]:
    from sim.experiments.validation import validation_report

    return {DOCS / "background" / "validation.md": validation_report()}


def run_command(cmd: str) -> str:
    """Run a tutorial command from the repository root as a user would; its output, normalised."""
    args = shlex.split(cmd)
    if args[0] == "parcelsim":
        args = [sys.executable, "-m", "sim", *args[1:]]
    env = {**os.environ, "COLUMNS": "120", "TERM": "dumb", "NO_COLOR": "1"}
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"tutorial command failed ({done.returncode}): {cmd}\n{done.stderr}")
    return normalise(done.stdout)


def normalise(text: str) -> str:
    """Remove what changes from run to run: wall-clock times."""
    text = re.sub(r"\(\d+\.\d+ s", "(… s", text)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def tutorial_files() -> dict[Path, str]:
    shutil.rmtree(ROOT / "results" / "tutorial", ignore_errors=True)  # a fresh start, as for a newcomer
    path = DOCS / "tutorial.md"
    text = path.read_text(encoding="utf-8")
    return {path: RUN_MARKER.sub(lambda m: m.group(1) + run_command(m.group("cmd")) + m.group(4), text)}


FIELD_REPLICATIONS = 10


def field_files() -> dict[Path, str]:
    """The field page's text (its chart is written by ``main`` and ``parcelsim field``, not compared)."""
    from sim.experiments.field import field_report
    from sim.presentation.field_page import CHART, PAGE

    return {DOCS / "background" / PAGE: field_report(FIELD_REPLICATIONS, jobs=2, chart=CHART)[0]}


PARTS = {"reference": reference_files, "validation": validation_files, "field": field_files, "tutorial": tutorial_files}


def main() -> None:
    chosen = sys.argv[1:] or ["all"]
    parts = list(PARTS) if chosen == ["all"] else chosen
    for part in parts:
        if part == "field":  # the page and its chart, as `parcelsim field` writes them
            from sim.presentation.field_page import write_field_page

            page, _ = write_field_page(DOCS / "background", FIELD_REPLICATIONS, jobs=2)
            print(f"wrote {page.relative_to(ROOT)}")
            continue
        for path, text in PARTS[part]().items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
