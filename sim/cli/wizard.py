"""``parcelsim new``: a scenario file from a few questions, for people who do not write YAML.

A station owner answers in the terminal (couriers, parcels a day, high-rises, lockers, the share of
音尊达 parcels, the shift); the answers are checked one by one (a wrong one is asked again, saying
what is allowed), and a commented scenario with a door and a locker variant is written. The file
is validated as any scenario before it is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from ..scenario.schema import scenario_from_dict

__all__ = ["QUESTIONS", "Question", "ask", "scenario_text"]


@dataclass(frozen=True)
class Question:
    key: str
    prompt: str
    default: float
    low: float
    high: float
    integer: bool = False

    def parse(self, text: str) -> tuple[float | None, str]:
        """The answer as a number, or None and why it is not allowed. Thousands may be written
        with commas (1,500 or 1，500); a share as a percentage (80%)."""
        text = text.strip().replace(",", "").replace("，", "").replace(" ", "")
        if not text:
            return self.default, ""
        percent = text.endswith(("%", "％"))
        try:
            value = float(text.rstrip("%％"))
        except ValueError:
            return None, f"{text!r} is not a number"
        if percent:
            value /= 100
        if self.integer and value != int(value):
            return None, f"{text} is not a whole number"
        if not self.low <= value <= self.high:
            return None, f"{text} is outside {self.low:g}-{self.high:g}"
        return (int(value) if self.integer else value), ""


QUESTIONS = (
    Question("name", "A short name for your station (letters or 汉字, digits, _ -) 网点名称", 0, 0, 0),
    Question("couriers", "How many couriers deliver from the station? 快递员人数", 25, 1, 500, integer=True),
    Question("parcels", "Parcels a day? 日均派件量", 5000, 10, 30_000, integer=True),  # a very large station
    Question("highrise", "Share of buildings that are high-rises with lifts, 0-1? 高层(有电梯)比例", 0.5, 0, 1),
    Question("lockers", "Share of compounds with a locker bank at the gate, 0-1? 小区快递柜覆盖率", 0.7, 0, 1),
    Question("door_share", "Share of parcels that are 音尊达 door-service parcels, 0-1? 音尊达件占比", 0.3, 0, 1),
    Question("shift_start", "Shift start, hour of the day? 上班时间", 7, 0, 23),
    Question("shift_end", "Shift end, hour of the day? 下班时间", 19, 1, 24),
)


def ask(read: Callable[[str], str], say: Callable[[str], None]) -> dict[str, Any]:
    """Ask every question until the answer is allowed (an empty answer takes the default)."""
    answers: dict[str, Any] = {}
    for q in QUESTIONS:
        while True:
            if q.key == "name":
                text = read(f"{q.prompt} [my_station]: ").strip() or "my_station"
                if text.replace("_", "").replace("-", "").isalnum() and len(text) <= 80:
                    answers[q.key] = text
                    break
                say(f"  {text!r}: use letters (汉字 too), digits, '_' and '-' only (at most 80)")
                continue
            value, why = q.parse(read(f"{q.prompt} [{q.default:g}]: "))
            if value is not None:
                answers[q.key] = value
                break
            say(f"  {why}: please answer {q.low:g}-{q.high:g}" + (" (a whole number)" if q.integer else ""))
    if answers["shift_end"] <= answers["shift_start"]:
        say(f"  the shift ends before it starts: taking {answers['shift_start']:g}-{answers['shift_start'] + 12:g}")
        answers["shift_end"] = min(24, answers["shift_start"] + 12)
    return answers


def scenario_text(answers: dict[str, Any]) -> str:
    """The commented scenario for these answers (checked to be a valid scenario)."""
    a = answers
    waves = [a["shift_start"] + 1, min(a["shift_end"] - 3, a["shift_start"] + 6)]
    text = f"""\
# Written by `parcelsim new` from your answers. Edit any value; every field not written here takes
# its default (docs/reference/scenario.md). Run it with:  parcelsim run THIS_FILE --reps 10
name: {a["name"]}
description: >
  {a["couriers"]} couriers, {a["parcels"]} parcels a day; {a["door_share"]:.0%} of them 音尊达
  door-service parcels. accept: the station takes them and they go to the door at the door-service
  fee; decline: the station declines them and every parcel goes to a locker or a 驿站.
seed: 1

city:                          # a synthetic district sized for your parcels (or your own: docs/guides/own_district.md)
  blocks_x: {_blocks(a["parcels"], a["couriers"])}
  blocks_y: {_blocks(a["parcels"], a["couriers"])}
  elevator_share: {a["highrise"]:g}          # high-rises with lifts 高层
  locker_share: {a["lockers"]:g}            # compounds with a locker bank at the gate 快递柜

parcels:
  per_day: {a["parcels"]}
  door_service_share: {a["door_share"]:g}      # 音尊达 parcels

couriers:
  count: {a["couriers"]}
  shift_start_h: {a["shift_start"]:g}
  shift_end_h: {a["shift_end"]:g}
  waves_h: {yaml.safe_dump([float(w) for w in waves], default_flow_style=True).strip()}

economics:                     # paid to the courier per parcel (docs/background/sources.md §1)
  door_service_fee_yuan: 0.8   # a 音尊达 parcel handed over at the door
  locker_fee_yuan: 0.5         # a parcel in a locker
  pickup_station_fee_yuan: 0.5 # a parcel left at a 驿站
  ordinary_door_fee_yuan: 0.5  # an ordinary parcel at the door
  network_fee_yuan: 1.2        # what your network pays the station per parcel delivered (派费): set yours

variants:
  accept: {{door_service_share: {a["door_share"]:g}}}   # accept 音尊达 parcels: they go to the door
  decline: {{door_service_share: 0.0}}  # decline them: every parcel to a locker or a 驿站
"""
    scenario_from_dict(yaml.safe_load(text), source="parcelsim new")
    return text


def _blocks(parcels: int, couriers: int) -> int:
    """Street blocks each way: about one compound for every 60 parcels a day, and one per courier."""
    compounds = max(parcels / 60, couriers * 1.3)
    return int(min(300, max(2, round((compounds / 0.85) ** 0.5 + 0.5))))
