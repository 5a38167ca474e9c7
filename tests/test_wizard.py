"""parcelsim new: a scenario from a few answers (issue #16)."""

from __future__ import annotations

import pytest

from sim.cli.main import main
from sim.cli.wizard import scenario_text
from sim.scenario.load import load_scenario
from sim.world.districts import check_feasible


def _answer(monkeypatch, *lines: str) -> None:
    answers = iter(lines)

    def read(prompt: str = "") -> str:
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", read)


def test_answers_become_a_scenario_with_door_and_locker_variants(monkeypatch, tmp_path):
    _answer(monkeypatch, "望京_3", "12", "2,400", "30%", "0.8", "25%", "7", "19")
    target = tmp_path / "mine.yaml"
    assert main(["new", "--out", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Written by `parcelsim new`")
    scenario = load_scenario(target)
    assert (scenario.name, scenario.couriers.count, scenario.parcels.per_day) == ("望京_3", 12, 2400)
    assert (scenario.city.elevator_share, scenario.city.locker_share) == (0.3, 0.8)
    assert list(scenario.variants) == ["accept", "decline"]
    assert scenario.door_service_share("accept") == 0.25 and scenario.door_service_share("decline") == 0.0
    assert (scenario.couriers.shift_start_h, scenario.couriers.shift_end_h) == (7, 19)
    check_feasible(scenario)  # the district is large enough for the couriers


def test_a_wrong_answer_is_asked_again_saying_what_is_allowed(monkeypatch, tmp_path, capsys):
    _answer(monkeypatch, "bad name!", "ok", "abc", "0", "12.5", "3", "", "", "", "", "", "")
    assert main(["new", "--out", str(tmp_path / "s.yaml")]) == 0
    out = capsys.readouterr().out
    assert "use letters (汉字 too), digits" in out and "'abc' is not a number" in out
    assert "0 is outside 1-500" in out and "12.5 is not a whole number" in out
    assert load_scenario(tmp_path / "s.yaml").couriers.count == 3


def test_no_answers_or_an_existing_file_exit_2(monkeypatch, tmp_path, capsys):
    _answer(monkeypatch, "x", "3")
    assert main(["new", "--out", str(tmp_path / "s.yaml")]) == 2
    assert "the input ended" in capsys.readouterr().err
    (tmp_path / "s.yaml").write_text("name: mine\n")
    _answer(monkeypatch, *[""] * 8)
    assert main(["new", "--out", str(tmp_path / "s.yaml")]) == 2
    assert "exists" in capsys.readouterr().err and (tmp_path / "s.yaml").read_text() == "name: mine\n"


@pytest.mark.parametrize(("couriers", "parcels"), [(1, 10), (25, 5000), (60, 3000), (300, 30_000)])
def test_every_allowed_size_gives_a_district_that_fits_the_couriers(couriers, parcels, tmp_path):
    answers = {
        "name": "s",
        "couriers": couriers,
        "parcels": parcels,
        "highrise": 0.5,
        "lockers": 0.7,
        "door_share": 0.3,
        "shift_start": 7,
        "shift_end": 19,
    }
    (tmp_path / "s.yaml").write_text(scenario_text(answers), encoding="utf-8")
    check_feasible(load_scenario(tmp_path / "s.yaml"))
