"""The shape of the house: each module imports only from its own stage and the stages below it.

The stages, bottom to top, are the subpackages of ``nmdkg`` (``docs/architecture.md`` draws the map). Every
import of every module is read with ``ast`` (those inside functions too, where the commands import lazily);
an import of a stage above the importer's fails the test with the file, line and import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import nmdkg

PACKAGE = Path(nmdkg.__file__).parent

#: Bottom to top: a module may import from its own stage and any stage before it in this list.
STAGES = ("core", "sources", "curated", "build", "validate", "store", "export", "query", "analysis", "diagnose",
          "publish", "release", "app")
#: Top-level modules that are not a subpackage, and their stage.
MODULE_STAGES = {"__init__": "app", "cli": "app", "store": "store"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def stage_of(module: str) -> str:
    """The stage of a module of nmdkg (``nmdkg.query.library`` -> ``query``, ``nmdkg`` -> ``app``)."""
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    if top in MODULE_STAGES:
        return MODULE_STAGES[top]
    if top in STAGES:
        return top
    raise AssertionError(f"{module}: no stage; put it in a stage package or name it in MODULE_STAGES")


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, nmdkg module) of every import of the package in a module; ``from nmdkg import x`` names the
    module ``nmdkg.x`` when x is one, else the package itself (its ``__version__``)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "nmdkg"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] == "nmdkg":
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                path = PACKAGE.parent.joinpath(*candidate.split("."))
                is_module = path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()
                found.append((node.lineno, candidate if is_module else node.module))
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found.append((node.lineno, "relative"))
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_the_package_has_modules_in_every_stage():
    assert len(MODULES) > 40
    stages = {stage_of(module_name(path)) for path in MODULES}
    assert stages == set(STAGES), f"stages without a module: {set(STAGES) - stages}"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: module_name(path))
def test_a_module_imports_only_its_own_stage_and_the_stages_below(path):
    importer = module_name(path)
    rank = STAGES.index(stage_of(importer))
    wrong = []
    for line, imported in imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
        if imported == "relative":
            wrong.append(f"{path}:{line}: a relative import; name the module (nmdkg.stage.module)")
        elif imported == "nmdkg":
            continue  # the package's own metadata (__version__)
        elif STAGES.index(stage_of(imported)) > rank:
            wrong.append(f"{path}:{line}: {importer} (stage {stage_of(importer)}) imports {imported} "
                         f"(stage {stage_of(imported)}, above it)")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", MODULES, ids=lambda path: module_name(path))
def test_no_module_imports_another_modules_private_names(path):
    importer = module_name(path)
    wrong = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nmdkg") \
                and node.module != importer:
            wrong += [f"{path}:{node.lineno}: imports {node.module}.{alias.name}" for alias in node.names
                      if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert not wrong, "\n".join(wrong)


def test_the_layer_rule_fails_on_an_upward_import(tmp_path):
    """The rule can fail: an import of the CLI from the core is found and named."""
    tree = ast.parse("def f():\n    from nmdkg.cli import main\n")
    [(line, imported)] = imported_modules(tree)
    assert (line, imported) == (2, "nmdkg.cli")
    assert STAGES.index(stage_of(imported)) > STAGES.index(stage_of("nmdkg.core.io"))
