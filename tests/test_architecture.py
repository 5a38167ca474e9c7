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


# The layers, bottom up: each may import the layers below it, never one above. The package's
# __init__ (the public API) and __main__ sit on top; nothing but __main__ imports the command line.
LAYERS = ("core", "scenario", "world", "model", "results", "experiments", "presentation", "cli")


def layer_of(module: str) -> int | None:
    """The index of a module's layer in ``LAYERS`` (None for ``sim`` and ``sim.__main__``)."""
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def wrong_arrows(graph: nx.DiGraph) -> list[str]:
    """Imports that point up the layers, or into the command line from outside it."""
    wrong = []
    for a, b in graph.edges:
        la, lb = layer_of(a), layer_of(b)
        if la is None or lb is None:
            if b.startswith("sim.cli") and a != "sim.__main__" and la is None:
                wrong.append(f"{a} -> {b}")
            continue
        if lb > la:
            wrong.append(f"{a} ({LAYERS[la]}) -> {b} ({LAYERS[lb]})")
    return sorted(wrong)


def test_every_module_sits_in_a_layer():
    loose = [m for m in import_graph().nodes if layer_of(m) is None and m not in ("sim", "sim.__main__")]
    assert not loose, f"modules outside the layers {LAYERS}: {loose}"


def test_imports_point_down_the_layers():
    assert wrong_arrows(import_graph()) == []


def test_a_wrong_arrow_is_caught():
    graph = import_graph()
    graph.add_edge("sim.model.ledger", "sim.presentation.plots")  # the model drawing charts
    graph.add_edge("sim.results.bundle", "sim.cli.main")
    assert wrong_arrows(graph) == [
        "sim.model.ledger (model) -> sim.presentation.plots (presentation)",
        "sim.results.bundle (results) -> sim.cli.main (cli)",
    ]


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    graph.remove_node("sim")  # the package's __init__ imports the policies; nothing imports it back
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import cycles: {cycles[:5]}"
    assert graph.has_edge("sim.model.station_area", "sim.model.facilities.courier")  # the walk sees real edges


def test_the_cycle_detector_sees_a_cycle():
    graph = import_graph()
    graph.add_edge("sim.model.ledger", "sim.model.run")  # run -> station_area -> ... -> ledger
    assert list(nx.simple_cycles(graph))


def test_the_public_api_is_listed_once_and_every_name_loads():
    import sim

    stub = (SIM / "__init__.pyi").read_text(encoding="utf-8")
    listed = sorted({a.asname or a.name for n in ast.parse(stub).body if isinstance(n, ast.ImportFrom) for a in n.names})
    assert sorted(sim.__all__) == listed
    assert all(getattr(sim, name) is not None for name in listed)
    assert "__all__" not in (SIM / "__init__.py").read_text(encoding="utf-8").replace("__getattr__, __dir__, __all__", "")


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
    courier = MODULES[SIM / "model" / "facilities" / "courier.py"]
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


def test_each_activity_table_holds_its_rows_columns_and_the_station():
    from sim.model import activity

    pairs = [
        (activity.TourRow, activity.Tours),
        (activity.StopRow, activity.Stops),
        (activity.DayRow, activity.Days),
        (activity.ReturnRow, activity.Returns),
    ]
    for row, table in pairs:
        assert table.column_names() == (*row._fields, "station"), table.__name__
    assert activity.StopParts.column_names()[-1] == "station"
