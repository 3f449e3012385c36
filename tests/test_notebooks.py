"""Every notebook in notebooks/ runs top to bottom on a real Jupyter kernel, and is committed
with its outputs cleared. The notebooks check their own claims with asserts (several, in
several cells, each on something computed); every cell holding one must run, with asserts
enabled, and a failing assert or any other error in a cell fails the test for that notebook.
"""

from __future__ import annotations

import ast
import os
import pathlib
import re
import time

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))

EXPECTED = [
    "01_chain_rule_and_paths",
    "02_learning_rate",
    "03_backward_is_a_network",
    "04_hinton_1986",
    "05_numpy_to_chainrule",
    "06_check_against_pytorch",
    "07_xor_with_momentum",
    "08_two_moons",
    "09_small_cnn",
    "10_second_derivatives",
    "11_backward_as_code",
    "12_gradient_on_a_hill",
    "13_why_backprop",
    "14_symmetry_breaking",
    "15_mlp_4_5_3_matrix_gradients",
]

# what each notebook must show when run: graphs as SVG, plots as PNG, the stepper as HTML
MUST_SHOW = {
    "01_chain_rule_and_paths": {"image/svg+xml", "image/png", "text/html"},
    "02_learning_rate": {"image/png"},
    "03_backward_is_a_network": {"image/svg+xml"},
    "04_hinton_1986": {"image/png"},
    "05_numpy_to_chainrule": {"image/png"},
    "07_xor_with_momentum": {"image/png"},
    "08_two_moons": {"image/svg+xml", "image/png"},
    "09_small_cnn": {"image/png"},
    "10_second_derivatives": {"image/svg+xml", "image/png"},
    "12_gradient_on_a_hill": {"image/png"},
    "14_symmetry_breaking": {"image/png"},
    "15_mlp_4_5_3_matrix_gradients": {"image/svg+xml"},
}

TIMEOUT_PER_CELL = 120  # seconds; each notebook is meant to finish in well under 60


def kernel_env() -> dict:
    """The kernel sees this checkout first, and draws figures inline even without a display."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    return env


def _shown(nb: nbformat.NotebookNode) -> set:
    kinds = set()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            kinds.update(output.get("data", {}))
    return kinds


def test_all_notebooks_present() -> None:
    names = [p.stem for p in NOTEBOOKS]
    missing = [name for name in EXPECTED if name not in names]
    assert not missing, f"notebooks missing from {NOTEBOOK_DIR}: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_with_cleared_outputs(path: pathlib.Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"{path.name}: code cells {dirty} have outputs or an execution count; clear them before "
        f"committing (jupyter nbconvert --clear-output --inplace {path.relative_to(ROOT)})"
    )


MIN_ASSERTS, MIN_CELLS_ASSERTING = 5, 3


def _asserts(cell: nbformat.NotebookNode) -> list[ast.Assert]:
    """The assert statements of a code cell (IPython's % and ! lines left out)."""
    lines = [line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    tree = ast.parse("\n".join(lines))
    return [node for node in ast.walk(tree) if isinstance(node, ast.Assert)]


def _imports_torch(path: pathlib.Path) -> bool:
    nb = nbformat.read(path, as_version=4)
    return any(
        re.search(r"^\s*(import|from) torch\b", cell.source, re.M)
        for cell in nb.cells
        if cell.cell_type == "code"
    )


# a notebook that imports torch runs only where torch is installed
RUNS = [
    pytest.param(p, id=p.stem, marks=[pytest.mark.torch] if _imports_torch(p) else [])
    for p in NOTEBOOKS
]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_checks_its_claims(path: pathlib.Path) -> None:
    """Asserts where the claims are made: several, in several cells, each testing something
    the notebook computed (a name, not literals alone). test_notebook_runs sees them run."""
    nb = nbformat.read(path, as_version=4)
    per_cell = [_asserts(cell) for cell in nb.cells if cell.cell_type == "code"]
    found = [a for asserts in per_cell for a in asserts]
    assert len(found) >= MIN_ASSERTS, f"{path.name} has {len(found)} asserts"
    cells = sum(1 for asserts in per_cell if asserts)
    assert cells >= MIN_CELLS_ASSERTING, f"{path.name} asserts in only {cells} cells"
    literal = [
        ast.unparse(a.test)
        for a in found
        if not any(isinstance(n, ast.Name) for n in ast.walk(a.test))
    ]
    assert not literal, f"{path.name} asserts only literals: {literal}"


@pytest.mark.parametrize("path", RUNS)
def test_notebook_runs(path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    nb = nbformat.read(path, as_version=4)
    # a last cell shows that the kernel runs asserts (not `python -O`, which drops them)
    nb.cells.append(nbformat.v4.new_code_cell("print('asserts run:', __debug__)"))
    client = NotebookClient(
        nb,
        timeout=TIMEOUT_PER_CELL,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},  # the kernel's working directory
    )
    start = time.perf_counter()
    client.execute(env=kernel_env(), cwd=str(tmp_path))  # raises CellExecutionError on any error
    elapsed = time.perf_counter() - start

    errors = [
        o for cell in nb.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert not errors, f"{path.name}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    unrun = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and _asserts(cell) and cell.get("execution_count") is None
    ]
    assert not unrun, f"{path.name}: cells {unrun} with asserts did not run"
    assert nb.cells[-1].outputs[0].get("text") == "asserts run: True\n", nb.cells[-1].outputs
    missing = MUST_SHOW.get(path.stem, set()) - _shown(nb)
    assert not missing, f"{path.name} ran but displayed no {sorted(missing)}"
    print(f"{path.name}: {elapsed:.1f} s")
