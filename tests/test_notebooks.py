"""Every notebook in notebooks/ runs top to bottom on a real Jupyter kernel, and is committed
with its outputs cleared. The notebooks check their own claims with asserts; a failing assert
or any other error in a cell fails the test for that notebook.
"""

from __future__ import annotations

import os
import pathlib
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
]

# what each notebook must show when run: graphs as SVG, plots as PNG
MUST_SHOW = {
    "01_chain_rule_and_paths": {"image/svg+xml", "image/png"},
    "02_learning_rate": {"image/png"},
    "03_backward_is_a_network": {"image/svg+xml"},
    "04_hinton_1986": {"image/png"},
    "05_numpy_to_chainrule": {"image/png"},
    "07_xor_with_momentum": {"image/png"},
    "08_two_moons": {"image/svg+xml", "image/png"},
    "09_small_cnn": {"image/png"},
}

TIMEOUT_PER_CELL = 120  # seconds; each notebook is meant to finish in well under 60


def _kernel_env() -> dict:
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
        i for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"{path.name}: code cells {dirty} have outputs or an execution count; clear them before "
        f"committing (jupyter nbconvert --clear-output --inplace {path.relative_to(ROOT)})"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_checks_its_claims(path: pathlib.Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert "assert " in code, f"{path.name} asserts nothing; every notebook checks what its prose claims"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=TIMEOUT_PER_CELL,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},  # the kernel's working directory
    )
    start = time.perf_counter()
    client.execute(env=_kernel_env(), cwd=str(tmp_path))  # raises CellExecutionError on any error
    elapsed = time.perf_counter() - start

    errors = [o for cell in nb.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    missing = MUST_SHOW.get(path.stem, set()) - _shown(nb)
    assert not missing, f"{path.name} ran but displayed no {sorted(missing)}"
    print(f"{path.name}: {elapsed:.1f} s")
