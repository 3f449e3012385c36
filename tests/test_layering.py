"""How the packages stand on each other, read from their source: autograd imports nothing from nn
(not even inside a function), nn uses only autograd's public names, no module imports another's
private `_name`, and `import autograd` loads nothing outside the standard library."""

from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn", "benchmarks", "tests")


def _sources(package: str) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files under {package}/"
    return files


def _imports(path: Path) -> Iterator[tuple[int, str, list[str]]]:
    """(line, absolute module, imported names) for every import in the file, at any depth;
    `import a.b` gives ("a.b", []), `from . import c` in package p gives ("p", ["c"])."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node.lineno, module, [alias.name for alias in node.names]


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_submodule(module: str, name: str) -> bool:
    folder = ROOT.joinpath(*module.split("."), name)
    return folder.with_suffix(".py").is_file() or (folder / "__init__.py").is_file()


def test_autograd_imports_nothing_from_nn_even_lazily() -> None:
    found = []
    for path in _sources("autograd"):
        for line, module, _ in _imports(path):
            if module == "nn" or module.startswith("nn."):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):  # importlib.import_module("nn") and the like
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value == "nn" or node.value.startswith("nn."):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} names {node.value!r}")
    assert found == [], "autograd must stand alone:\n" + "\n".join(found)


def test_nn_uses_only_autograds_public_names() -> None:
    autograd = importlib.import_module("autograd")
    found = []
    for path in _sources("nn"):
        where = path.relative_to(ROOT)
        for line, module, names in _imports(path):
            if module != "autograd" and not module.startswith("autograd."):
                continue
            if any(_private(part) for part in module.split(".")):
                found.append(f"{where}:{line} imports the private module {module}")
                continue
            public = getattr(importlib.import_module(module), "__all__", None)
            for name in names:
                if _private(name) or (public is not None and name not in public):
                    found.append(f"{where}:{line} imports {name} from {module} (not in __all__)")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and _private(node.attr)
                and isinstance(node.value, ast.Name)
                and node.value.id == "autograd"
            ):
                found.append(f"{where}:{node.lineno} uses autograd.{node.attr}")
    assert found == [], "\n".join(found)
    assert "as_float" in autograd.__all__, "nn converts numbers with autograd's public as_float"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_imports_another_modules_private_name(package: str) -> None:
    """A private module (`_floats`) may be imported inside its own package; a private name
    defined in a module may not be imported anywhere else."""
    found = []
    for path in _sources(package):
        where = path.relative_to(ROOT)
        for line, module, names in _imports(path):
            top = module.split(".")[0]
            if any(_private(part) for part in module.split(".")) and top != package:
                found.append(f"{where}:{line} imports from the private module {module}")
            for name in names:
                if not _private(name):
                    continue
                if top == package and _is_submodule(module, name):
                    continue  # a package-private module, used within its package
                found.append(f"{where}:{line} imports the private name {name} from {module}")
    assert found == [], "\n".join(found)


def test_the_walk_sees_the_imports_it_checks() -> None:
    """The checks above read imports at every depth, including relative ones."""
    imports = {(module, tuple(names)) for _, module, names in _imports(ROOT / "nn" / "cli.py")}
    assert ("autograd.expr", ("FUNCTIONS", "ExprError", "build", "parse_assignments")) in imports
    assert ("nn", ("data", "optim", "plot")) in imports
    lazy = {module for _, module, _ in _imports(ROOT / "autograd" / "viz.py")}
    assert {"graphviz", "subprocess", "autograd.backprop"} <= lazy


_FRESH = """
import json, sys
before = set(sys.modules)
import autograd
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def _fresh_modules(code: str) -> list[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_import_autograd_loads_only_the_standard_library() -> None:
    loaded = _fresh_modules(_FRESH)
    assert "autograd" in loaded and "autograd.value" in loaded, loaded
    outside = [
        m
        for m in loaded
        if m.split(".")[0] not in sys.stdlib_module_names and m.split(".")[0] != "autograd"
    ]
    assert outside == [], f"import autograd loaded {outside}"
    assert "subprocess" not in loaded, "subprocess is imported when a graph is first rendered"


def test_drawing_loads_graphviz_on_first_use() -> None:
    loaded = _fresh_modules(
        _FRESH.replace(
            "import autograd\n", "import autograd\nautograd.draw_dot(autograd.Value(1.0))\n"
        )
    )
    assert "graphviz" in loaded, "draw_dot imports graphviz when it draws"
