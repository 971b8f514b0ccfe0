"""The core's imports go only downward, and form no cycle (CONTRIBUTING.md, "The shape of the code").

Every import counts, those inside functions too (they are dependencies all the same); only
`if TYPE_CHECKING:` blocks are left out, as they never run. The core is src/replicate without
testing/ and cli/. A module in no layer below (a new one, say) counts as the top: lower modules
may not import it until it is placed in LAYERS.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set

import replicate

SRC = Path(replicate.__file__).parent

# Lowest first. A module belongs to the longest prefix that names it.
LAYERS: Dict[str, int] = {
    "replicate._version": 0,
    "replicate._base": 0,
    "replicate._http": 1,
    "replicate.pagination": 1,
    "replicate.types": 2,
    "replicate.resources": 3,
    "replicate._running": 4,
    "replicate._client": 5,
    "replicate": 6,
}


def layer(module: str) -> int:
    best = max((prefix for prefix in LAYERS if module == prefix or module.startswith(prefix + ".")), key=len)
    return LAYERS[best]


def core_modules() -> Dict[str, Path]:
    modules: Dict[str, Path] = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[1:2] in (["testing"], ["cli"]) or parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


def imports_of(module: str, path: Path, known: Set[str]) -> Set[str]:
    """The core modules `module` imports when it runs (at import time or in a function)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: Set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit_node(other)
                continue
            visit_node(child)

    def visit_node(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from . import pagination` imports a module, `from . import default_client` a name
            submodules = {f"{target}.{alias.name}" for alias in node.names} & known
            found.update(submodules)
            if node.module or len(submodules) < len(node.names):
                found.add(target)
        visit(node)

    visit(ast.parse(path.read_text()))
    return {name for name in found if name in known and name != module}


def graph() -> Dict[str, Set[str]]:
    modules = core_modules()
    known = set(modules)
    return {module: imports_of(module, path, known) for module, path in modules.items()}


def test_every_core_module_is_in_a_named_layer() -> None:
    unplaced = [m for m in core_modules() if m != "replicate" and layer(m) == LAYERS["replicate"]]
    # The package and its public re-export modules (v2's `replicate.lib` path too) sit at the top.
    assert sorted(unplaced) == ["replicate.exceptions", "replicate.lib", "replicate.lib._predictions_use"], (
        unplaced
    )


def test_imports_only_go_downward() -> None:
    upward: List[str] = [
        f"{module} (layer {layer(module)}) imports {target} (layer {layer(target)})"
        for module, targets in sorted(graph().items())
        for target in sorted(targets)
        if layer(target) > layer(module)
    ]
    assert not upward, "\n".join(upward)


def test_the_core_has_no_import_cycle() -> None:
    edges = graph()
    state: Dict[str, int] = {}  # 1: on the current path, 2: done
    path: List[str] = []
    cycles: List[str] = []

    def walk(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                walk(target)
        path.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            walk(module)
    assert not cycles, "\n".join(cycles)


def test_the_checks_see_function_level_imports(tmp_path: Path) -> None:
    # The guard itself must be able to fail: an import inside a function is an edge, one under
    # TYPE_CHECKING is not.
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from ._client import Replicate\n"
        "def f():\n    from ._http import call\n"
    )
    known = {"replicate._http.call", "replicate._http", "replicate._client"}
    assert imports_of("replicate._probe", probe, known) == {"replicate._http", "replicate._http.call"}


def test_contributing_maps_every_core_module() -> None:
    # CONTRIBUTING.md's map is how a newcomer finds a module: a new one must appear there.
    text = (SRC.parent.parent / "CONTRIBUTING.md").read_text()
    mapped = text[text.index("## The shape of the code") : text.index("## One call's path")]
    missing = [
        str(path.relative_to(SRC))
        for module, path in core_modules().items()
        if path.name != "__init__.py"
        and not module.startswith(("replicate.types.", "replicate.resources."))  # mapped by folder
        and f" {path.name} " not in mapped
    ]
    assert not missing, missing


def test_no_core_module_is_over_500_lines() -> None:
    # Issue 14: small modules a newcomer reads top-down; a module past this wants splitting by layer.
    long = {
        str(path.relative_to(SRC)): lines
        for path in core_modules().values()
        if (lines := len(path.read_text().splitlines())) > 500
    }
    assert not long, long
