"""Field studies replayed (issue #26): one set of behaviour parameters for every replay, and a page
that says what the model got right and what it missed. The replays themselves run in the slow
check that docs/background/field_validation.md is current (tests/test_docs.py)."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from sim.experiments.field import FIELD_DIR, FIELD_STUDIES, TOLERANCE, FieldResult, _page, studies_within
from sim.scenario.load import load_scenario

# What a replay may set: the place, the people's kind of household, the work to do, the days. The
# behaviour of couriers and recipients at doors, lockers and 驿站, and the money, stay the defaults.
_BEHAVIOUR = ("door", "locker", "pickup_station", "economics", "recipients.")
_SETTING_UNDER_BEHAVIOUR = ("recipients.household_types",)


def _keys(raw: dict, prefix: str = "") -> list[str]:
    out = []
    for key, value in raw.items():
        path = f"{prefix}{key}"
        out += _keys(value, path + ".") if isinstance(value, dict) and key not in ("variants",) else [path]
    return out


@pytest.mark.parametrize("path", sorted(FIELD_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_a_replay_sets_its_setting_and_no_behaviour(path):
    load_scenario(path)  # valid
    set_here = _keys(yaml.safe_load(path.read_text(encoding="utf-8")))
    tuned = [k for k in set_here if k.startswith(_BEHAVIOUR) and not k.startswith(_SETTING_UNDER_BEHAVIOUR)]
    assert not tuned, f"{path.name} sets behaviour parameters: {tuned}"


def test_every_study_has_its_replay():
    assert {s.key for s in FIELD_STUDIES} == {p.stem for p in FIELD_DIR.glob("*.yaml")}
    assert len({s.key for s in FIELD_STUDIES}) >= 6


def _result(study, mean):
    return FieldResult(study, np.array([mean * 0.99, mean * 1.01]))


def test_within_is_the_published_range_widened_by_the_tolerance():
    study = FIELD_STUDIES[0]  # published 50-60%
    low, high = study.published
    assert _result(study, low * (1 - TOLERANCE) + 1e-9).within
    assert _result(study, high * (1 + TOLERANCE) - 1e-9).within
    assert not _result(study, high * (1 + TOLERANCE) + 1e-3).within
    assert not _result(study, low * (1 - TOLERANCE) - 1e-3).within


def test_the_page_counts_held_out_figures_apart_from_calibration_and_names_every_miss():
    results = [_result(s, (s.published[0] + s.published[1]) / 2) for s in FIELD_STUDIES]
    results[0] = _result(FIELD_STUDIES[0], 0.9)  # a held-out miss
    held_out = [r for r in results if not r.study.calibration]
    calibration = [r for r in results if r.study.calibration]
    assert held_out and calibration
    page = _page(results, replications=2, chart="chart.png")
    assert f"**Held out: {len(held_out) - 1} of {len(held_out)} within.**" in page
    assert f"Calibration figures: {len(calibration)} of {len(calibration)} within" in page
    assert page.count("**a miss**") == 1 and "![model against field](chart.png)" in page
    for study in FIELD_STUDIES:
        assert f"scenarios/field/{study.key}.yaml" in page


def test_a_study_counts_as_within_only_when_every_one_of_its_figures_is():
    results = [_result(s, (s.published[0] + s.published[1]) / 2) for s in FIELD_STUDIES]
    whole, studies = studies_within(results)
    assert (whole, studies) == (studies, len({s.key for s in FIELD_STUDIES}))
    london = [i for i, s in enumerate(FIELD_STUDIES) if s.key == "london_rounds"]
    assert len(london) >= 2
    for n_missed, i in enumerate(london, start=1):  # one miss takes the study out; more take nothing more
        results[i] = _result(FIELD_STUDIES[i], FIELD_STUDIES[i].published[1] * 2)
        assert studies_within(results) == (studies - 1, studies), n_missed
    assert f"Studies with every figure within: {studies - 1} of {studies}." in _page(results, 2, "c.png")
