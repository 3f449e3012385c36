"""Shared test settings: hypothesis profiles (no deadline; derandomized under CI), and the
`torch` marker on every test whose module imports PyTorch, the oracle.

PyTorch's wheel exists for some Python versions only. Where it is missing, run the suite with
`-m "not fuzz and not torch"`: the modules that need it are then not imported at all. Without
that option a missing torch is an error, never a silent skip.
"""

from __future__ import annotations

import ast
import importlib.util
import os
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")

TORCH_MODULES = ("torch", "tests.torch_oracle")  # importing either needs PyTorch
HAVE_TORCH = importlib.util.find_spec("torch") is not None


@cache
def needs_torch(path: Path) -> bool:
    """The test module imports torch, or the oracle built on it, anywhere in its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        if any(n == m or n.startswith(m + ".") for n in names for m in TORCH_MODULES):
            return True
    return False


def _deselects_torch(config: pytest.Config) -> bool:
    return "not torch" in (config.getoption("markexpr") or "")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if HAVE_TORCH or collection_path.suffix != ".py" or not collection_path.name.startswith("test"):
        return None
    if not needs_torch(collection_path):
        return None
    if _deselects_torch(config):
        return True  # its tests are all marked torch: deselected, so not even imported
    raise pytest.UsageError(
        f"{collection_path.name} needs PyTorch, which is not installed here; install it (the "
        f'dev extra does) or deselect its tests with -m "not fuzz and not torch"'
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if needs_torch(Path(item.path)):
            item.add_marker(pytest.mark.torch)


def pytest_report_header(config: pytest.Config) -> str:
    if HAVE_TORCH:
        return "torch: installed; tests marked torch compare against it"
    return "torch: not installed; modules that import it are not collected (-m 'not torch')"
