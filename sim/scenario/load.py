"""Reading scenario files: YAML in (bounded and strict), a validated ``Scenario`` out.

The YAML reader refuses what no scenario needs and what would only hide a mistake: a key written
twice, nesting far deeper than any scenario, numbers of thousands of digits, aliases that expand
to millions of values. ``--set`` values are read by the same reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..core.errors import ScenarioError
from .schema import Scenario, apply_overrides, scenario_from_dict

__all__ = ["ScenarioLoader", "load_scenario", "parse_override"]

_MAX_NESTING = 40  # a scenario nests about 5 deep; far deeper input is an accident or an attack
_MAX_VALUES = 100_000  # the largest shipped scenario holds a few hundred values
_MAX_DIGITS = 40  # any number a scenario needs fits in 40 digits


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None, *, overrides_from: str = "overrides") -> Scenario:
    """Read a scenario YAML file, apply dotted-path overrides and validate it (``overrides_from``
    names where the overrides came from in messages, e.g. ``--set``).

    Raises ``ScenarioError`` with a message naming the field path, the value and what is allowed.
    """
    p = Path(path)
    if not p.exists():
        raise ScenarioError(f"{p}: no such scenario file")
    if not p.is_file():
        raise ScenarioError(f"{p}: not a file")
    try:
        text = p.read_text(encoding="utf-8")
        raw = yaml.load(text, Loader=ScenarioLoader)  # a SafeLoader, stricter still
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{p}: broken YAML{where}: {problem}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{p}: not a UTF-8 text file") from None
    if raw is None:
        raise ScenarioError(f"{p}: empty scenario: write {{}} in it to run with every default")
    _check_size(raw, str(p))
    if not isinstance(raw, dict):
        raise ScenarioError(f"{p}: a scenario must be a mapping of fields, got {type(raw).__name__}")
    _anchor_data_files(raw, p.parent)
    if overrides:
        apply_overrides(raw, overrides, where=overrides_from)
    return scenario_from_dict(raw, source=str(p))


def _anchor_data_files(raw: dict[str, Any], folder: Path) -> None:
    """Make the city's data files (OSM extract, station lists) absolute, read relative to the
    scenario file's folder, so that the scenario saved with the results still finds them."""
    city = raw.get("city")
    if not isinstance(city, dict):
        return
    for key in ("osm", "compound_list", "locker_list", "pickup_station_list"):
        section = city.get(key)
        if isinstance(section, dict) and isinstance(section.get("file"), str):
            text = section["file"]
            if text and not text.startswith("package:") and not Path(text).is_absolute():
                section["file"] = str((folder / text).resolve())


class ScenarioLoader(yaml.SafeLoader):
    """YAML as a scenario (or a ``--set``, ``--grid`` or table value) needs it: bounded nesting, and
    a key written twice is an error naming both lines (YAML would keep the last silently). Aliases
    are allowed; what they expand to is bounded after loading (``_check_size``)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > _MAX_NESTING:
                raise yaml.MarkedYAMLError(None, None, f"nested deeper than {_MAX_NESTING} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_int(self, node: Any) -> int:
        if len(node.value) > _MAX_DIGITS:  # Python refuses to read integers of thousands of digits
            raise yaml.MarkedYAMLError(None, None, f"a number of {len(node.value):,} digits", node.start_mark)
        return int(super().construct_yaml_int(node))

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue  # '<<: *base' merges a mapping; its keys may be overridden here, which is no duplicate
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise yaml.MarkedYAMLError(
                    None, None, f"key {key!r} is written twice (lines {seen[key]} and {line}): keep one", key_node.start_mark
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


ScenarioLoader.add_constructor("tag:yaml.org,2002:int", ScenarioLoader.construct_yaml_int)


def _check_size(raw: Any, source: str) -> None:
    """Refuse input whose aliases expand to more values than any scenario holds (an alias bomb:
    a few lines of YAML that become billions of values when printed or copied)."""
    stack, seen = [raw], 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > _MAX_VALUES:
            raise ScenarioError(f"{source}: expands to more than {_MAX_VALUES:,} values (aliases that refer to aliases?)")
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``path.to.field=value``; the value is read as YAML (numbers, lists, true/false)."""
    if "=" not in text:
        raise ScenarioError(f"{text!r}: expected path.to.field=value", param="overrides")
    path, _, value_text = text.partition("=")
    path = path.strip()
    if not path or any(not part for part in path.split(".")):
        raise ScenarioError(f"{text!r}: the field path is empty or has an empty part", param="overrides")
    try:
        value = yaml.load(value_text, Loader=ScenarioLoader) if value_text.strip() else ""
    except yaml.YAMLError:
        value = value_text
    return path, value
