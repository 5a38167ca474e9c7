"""Hostile input, generated: 1,000 scenario documents and --set strings through `parcelsim validate`,
in-process; any outcome but exit 0 or exit 2 (a traceback, a hang) fails (issue #18).

The cases are derandomized (the same ones every run) and each is bounded in time by Hypothesis's
deadline. Documents start from the headline scenario and take random mutations: a field set to a
hostile value (NaN, infinity, huge or negative numbers, true/false, strings, nested lists), removed,
or a key that does not exist added."""

from __future__ import annotations

import copy
import math
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from sim.cli.main import main

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

HEADLINE = Path(__file__).resolve().parents[1] / "scenarios" / "door_vs_locker.yaml"
BASE = yaml.safe_load(HEADLINE.read_text(encoding="utf-8"))


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))


PATHS = sorted(set(_paths(BASE)) | {("city", "osm", "file"), ("stations", "count"), ("horizon", "days"), ("seed",)})
# Sizes that are either small (a quick district) or far too large (refused by the schema or the cost guard).
NUMBERS = st.sampled_from([-1, 0, 1, 2, 3, 5, 10, 60, 1000, 10**9, 2**63, -(2**63), 0.5, -0.0, 1e308, 3.3])
HOSTILE = st.one_of(
    NUMBERS,
    st.sampled_from([math.nan, math.inf, -math.inf, True, False, None, "", "many", "[", "{a: 1}", "x" * 300]),
    st.lists(NUMBERS, max_size=30),
    st.dictionaries(st.text(max_size=8), NUMBERS, max_size=3),
    st.text(max_size=20),
)
MUTATION = st.tuples(
    st.sampled_from(["set", "delete", "junk"]), st.sampled_from(PATHS), HOSTILE, st.text(min_size=1, max_size=12)
)
CASE = settings(
    max_examples=700,
    derandomize=True,
    deadline=timedelta(seconds=20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _mutated(mutations) -> dict:
    doc = copy.deepcopy(BASE)
    for op, path, value, junk in mutations:
        parent = doc
        for key in path[:-1]:
            child = parent.get(key) if isinstance(parent, dict) else None
            if not isinstance(child, dict):
                child = {}
                parent[key] = child
            parent = child
        if op == "set":
            parent[path[-1]] = value
        elif op == "delete":
            parent.pop(path[-1], None)
        else:
            parent[junk] = value
    return doc


@pytest.mark.slow
@CASE
@given(st.lists(MUTATION, min_size=1, max_size=4))
def test_generated_scenarios_exit_0_or_2(tmp_path_factory, mutations):
    path = tmp_path_factory.mktemp("fuzz") / "s.yaml"
    path.write_text(yaml.safe_dump(_mutated(mutations), allow_unicode=True), encoding="utf-8")
    assert main(["validate", str(path)]) in (0, 2)


@settings(max_examples=300, derandomize=True, deadline=timedelta(seconds=20))
@given(
    st.one_of(st.text(max_size=40), st.builds(lambda p, v: ".".join(p) + "=" + v, st.sampled_from(PATHS), st.text(max_size=20)))
)
def test_generated_set_strings_exit_0_or_2(text):
    assert main(["validate", str(HEADLINE), f"--set={text}"]) in (0, 2)
