"""The model's house: how model/ is built, read from its source with `ast`.

- No import cycle among model/'s modules, counting every import: module level, function level and
  the ones under `if TYPE_CHECKING:` (a type-only cycle is still two modules that must be read together).
- model/ never imports tracktwo.experiments or tracktwo.app (the model knows nothing of files and sweeps).
- Only model.py writes attributes on the model object: mechanisms take the state they declare and
  return what changes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

MODEL = Path(__file__).resolve().parents[2] / "model"
PACKAGE = "tracktwo.model"


def _modules() -> dict[str, ast.Module]:
    return {path.stem: ast.parse(path.read_text(), str(path)) for path in sorted(MODEL.glob("*.py"))}


def _imported(tree: ast.Module) -> set[str]:
    """Every module name this source imports, anywhere in it (absolute names; `from a import b` gives a.b and a)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: model/ is one package
                base = PACKAGE + ("." + base if base else "")
            submodules = base == PACKAGE and all((MODEL / f"{alias.name}.py").is_file() for alias in node.names)
            if not submodules:  # `from tracktwo.model import formats` reads the module, not the package's names
                names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    """model/'s modules and the model/ modules each imports (the package __init__ counted as "__init__")."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, tree in modules.items():
        targets = set()
        for imported in _imported(tree):
            if imported == PACKAGE:
                targets.add("__init__")
            elif imported.startswith(PACKAGE + "."):
                first = imported[len(PACKAGE) + 1 :].split(".")[0]
                if first in modules:
                    targets.add(first)
        graph[name] = targets - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function_and_under_type_checking() -> None:
    source = {
        "a": "from tracktwo.model.b import x\n",
        "b": "def f():\n    from tracktwo.model import c\n",
        "c": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from tracktwo.model.a import y\n",
        "d": "from tracktwo.model.a import x\n",
    }
    trees = {name: ast.parse(text) for name, text in source.items()}
    graph = {
        name: {i.split(".")[2] for i in _imported(tree) if i.startswith(PACKAGE + ".")} - {name}
        for name, tree in trees.items()
    }
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({k: v - {"a"} for k, v in graph.items()}) == []


def test_model_has_no_import_cycle() -> None:
    graph = import_graph()
    assert len(graph) >= 20  # every module was read
    assert cycles(graph) == []


def test_model_never_imports_the_experiments_or_the_app() -> None:
    offenders = {
        name: sorted(i for i in _imported(tree) if i.startswith(("tracktwo.experiments", "tracktwo.app")))
        for name, tree in _modules().items()
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def _chain(node: ast.expr) -> list[str]:
    """The names an assignment target is reached by: ``self.model.trust[i]`` gives ['self', 'model', 'trust']."""
    names: list[str] = []
    while isinstance(node, ast.Attribute | ast.Subscript):
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
    return names[::-1]


def writes_into_the_model(tree: ast.Module) -> list[str]:
    """Assignments to the model's attributes or into its arrays, as 'line: target'.

    Counted: ``model.X = ``, ``model.X[i] += ``, ``self.model.X = ``, ``setattr(model, ...)``.
    """
    found = []

    def is_model(chain: list[str]) -> bool:
        return (len(chain) >= 2 and chain[0] == "model") or (chain[:2] == ["self", "model"] and len(chain) >= 3)

    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("setattr", "delattr")
            and node.args
            and is_model([*_chain(node.args[0]), "?"])
        ):
            found.append(f"{node.lineno}: {node.func.id}({ast.unparse(node.args[0])}, ...)")
        for target in targets:
            for part in target.elts if isinstance(target, ast.Tuple) else [target]:
                if is_model(_chain(part)):
                    found.append(f"{node.lineno}: {ast.unparse(part)}")
    return found


def test_the_write_finder_finds_writes_into_the_model() -> None:
    source = (
        "def f(model, self):\n"
        "    model.trust[1, 2] += 0.1\n"
        "    self.model._rules_for = None\n"
        "    a, model.x = 1, 2\n"
        "    setattr(model, 'y', 3)\n"
        "    model.ideas.adopt(1)\n"  # a call on the model's parts: not an assignment
        "    local = model.trust\n"
        "    self.models = 1\n"
    )
    assert writes_into_the_model(ast.parse(source)) == [
        "2: model.trust[1, 2]",
        "3: self.model._rules_for",
        "4: model.x",
        "5: setattr(model, ...)",
    ]


def test_only_model_py_writes_into_the_model() -> None:
    found = {name: writes_into_the_model(tree) for name, tree in _modules().items() if name != "model"}
    assert {name: lines for name, lines in found.items() if lines} == {}


def _declared_all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return list(ast.literal_eval(node.value))
    return None


def _top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node in tree.body:
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                parts = target.elts if isinstance(target, ast.Tuple) else [target]
                names.update(t.id for t in parts if isinstance(t, ast.Name))
    return names


@pytest.mark.parametrize("folder", ["model", "experiments"])
def test_every_module_and_package_declares_what_it_exports(folder: str) -> None:
    """`__all__` in each module of model/ and experiments/, naming only what the module defines or imports
    (or, in a package, its submodules)."""
    root = MODEL.parent / folder
    missing, unknown = [], {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text())
        declared = _declared_all(tree)
        if declared is None:
            missing.append(str(path.relative_to(root)))
            continue
        defined = _top_level_names(tree)
        if path.name == "__init__.py":
            defined |= {p.stem for p in path.parent.glob("*.py")} | {
                p.name for p in path.parent.iterdir() if p.is_dir()
            }
        wrong = [name for name in declared if name not in defined]
        if wrong:
            unknown[str(path.relative_to(root))] = wrong
    assert (missing, unknown) == ([], {})


def test_sides_are_named_one_way() -> None:
    """The model names a synthetic side once (network.side_name); the app's pictures and legends use it."""
    from tracktwo.model import make_params
    from tracktwo.model.network import side_name, synthetic_population

    assert synthetic_population(make_params({"sides": 3})).side_labels == ["Side 1", "Side 2", "Side 3"]
    assert [side_name(s) for s in range(3)] == ["Side 1", "Side 2", "Side 3"]
    app = MODEL.parent / "app"
    spelled = {path.name for path in app.glob("*.py") if re.search(r"Side [A-Z0-9]\b", path.read_text())}
    assert spelled == set(), "name sides with tracktwo.model.network.side_name"
