"""The package's shape: no import cycles, small signatures, one owner for the conservation counters."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

from .conftest import ROOT

SIM = ROOT / "sim"
MODULES = {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(SIM.rglob("*.py"))}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> nx.DiGraph:
    """Module -> module it imports, for every import anywhere in the file (functions and
    ``TYPE_CHECKING`` blocks included); importing ``a.b.c`` also imports the packages ``a.b``."""
    names = {_module_name(p) for p in MODULES}
    graph = nx.DiGraph()
    for path, tree in MODULES.items():
        me = _module_name(path)
        package = me if path.name == "__init__.py" else me.rpartition(".")[0]
        graph.add_node(me)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                module = ".".join([*base, node.module] if node.module else base)
                targets = [module, *(f"{module}.{a.name}" for a in node.names)]
            else:
                continue
            for target in targets:
                parts = target.split(".")
                for k in range(1, len(parts) + 1):
                    prefix = ".".join(parts[:k])
                    if prefix in names and prefix != me and not me.startswith(prefix + "."):
                        graph.add_edge(me, prefix)
    return graph


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    graph.remove_node("sim")  # the package's __init__ imports the public API; nothing imports it back
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import cycles: {cycles[:5]}"
    assert graph.has_edge("sim.station_area", "sim.facilities.courier")  # the walk sees real edges


def test_the_cycle_detector_sees_a_cycle():
    graph = import_graph()
    graph.add_edge("sim.ledger", "sim.model")  # model -> station_area -> ... -> ledger
    assert list(nx.simple_cycles(graph))


def _functions():
    for path, tree in MODULES.items():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield path, node


def test_no_function_takes_more_than_six_positional_arguments():
    offenders = []
    for path, fn in _functions():
        positional = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args) if a.arg not in ("self", "cls")]
        if len(positional) > 6:
            offenders.append(f"{path.relative_to(ROOT)}:{fn.lineno} {fn.name}({', '.join(positional)})")
    assert not offenders, "use keyword-only options:\n" + "\n".join(offenders)


COUNTERS = {"_delivered_to_door", "_shelved", "_returned", "_on_vehicle", "_after"}


def test_only_the_ledger_changes_conservation_counters():
    writes = []
    for path, tree in MODULES.items():
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AugAssign) else []
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr in COUNTERS:
                    writes.append(path.name)
            if isinstance(node, ast.Attribute) and node.attr in COUNTERS and path.name != "ledger.py":
                writes.append(f"{path.name} reads {node.attr}")
    assert writes and set(writes) == {"ledger.py"}, writes


def test_the_courier_is_a_component_and_processes_are_annotated():
    courier = MODULES[SIM / "facilities" / "courier.py"]
    classes = {n.name: n for n in courier.body if isinstance(n, ast.ClassDef)}
    assert "Courier" in classes
    assert not [n.name for n in courier.body if isinstance(n, ast.FunctionDef)], "courier logic lives in the class"
    unannotated = []
    for path, fn in _functions():
        yields_events = any(
            isinstance(n, ast.Yield) and isinstance(n.value, ast.Call) and getattr(n.value.func, "attr", "") == "timeout"
            for n in ast.walk(fn)
        )
        if yields_events and not (fn.returns and ast.unparse(fn.returns).startswith("ProcessGenerator")):
            unannotated.append(f"{path.name}:{fn.name}")
    assert not unannotated, unannotated


@pytest.mark.parametrize("name", ["RunState", "STATION_PLACE", "place_locker", "locker_place", "compound_locker"])
def test_old_names_are_gone(name):
    text = "\n".join(p.read_text(encoding="utf-8") for p in MODULES)
    assert name not in text
