"""`chainrule graph EXPR --at ... --text`, run as a real subprocess: prints text_graph as
UTF-8 whether or not Graphviz's `dot` is on PATH, honours --no-grad, --max-nodes and -o."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import text_graph
from autograd.expr import build

CLI = [sys.executable, "-m", "nn.cli"]
NEURON = ["graph", "tanh(x*w + b)", "--at", "x=1,w=-3,b=2", "--text"]
NEURON_TEXT = (
    "tanh  data -0.7616  grad 1\n"
    "└─ +  data -1  grad 0.42\n"
    "   ├─ ×  data -3  grad 0.42\n"
    "   │  ├─ x  data 1  grad -1.26\n"
    "   │  └─ w  data -3  grad 0.42\n"
    "   └─ b  data 2  grad 0.42\n"
)


def _run(args, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, *args], cwd=cwd, env=env, capture_output=True, timeout=120, check=False
    )


def _no_dot(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PATH": str(tmp_path), **extra}  # no `dot` here


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot on PATH")
def test_text_with_dot_on_path_prints_the_tree(tmp_path):
    done = _run(NEURON, tmp_path)
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()
    assert done.stdout.decode("utf-8") == NEURON_TEXT


def test_text_without_dot_on_path_prints_the_same_tree(tmp_path):
    done = _run(NEURON, tmp_path, _no_dot(tmp_path))
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()
    assert done.stdout.decode("utf-8") == NEURON_TEXT
    done = _run(NEURON[:-1] + ["-o", "graph.svg"], tmp_path, _no_dot(tmp_path))
    assert done.returncode == 1 and b"apt-get install graphviz" in done.stderr  # a picture needs it


def test_text_is_utf8_whatever_the_locale(tmp_path):
    env = _no_dot(tmp_path, LC_ALL="C", LANG="C", PYTHONIOENCODING="ascii")
    done = _run(NEURON, tmp_path, env)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode("utf-8") == NEURON_TEXT


def test_text_is_text_graph_of_the_built_expression(tmp_path):
    expression, at = "x*x + x/2 - exp(x)**2", {"x": 3.0}
    done = _run(
        ["graph", expression, "--at", "x=3", "--text", "--no-grad"], tmp_path, _no_dot(tmp_path)
    )
    out, _ = build(expression, at)
    out.backward()
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode("utf-8") == text_graph(out, show_grad=False) + "\n"
    assert "grad" not in done.stdout.decode("utf-8")
    assert done.stdout.decode("utf-8").count("↑ see [1] x") == 3  # x printed once, used 4 times


def test_text_over_the_cap_is_one_line_naming_size_and_cap(tmp_path):
    args = ["graph", "sin(sin(sin(sin(sin(x)))))", "--at", "x=1", "--text"]
    done = _run([*args, "--max-nodes", "5"], tmp_path, _no_dot(tmp_path))
    stderr = done.stderr.decode()
    assert done.returncode == 2 and len(stderr.splitlines()) == 1 and done.stdout == b""
    assert "6 value nodes, more than max_nodes=5" in stderr and "--max-nodes 6" in stderr, stderr
    done = _run([*args, "--max-nodes", "6"], tmp_path, _no_dot(tmp_path))
    assert done.returncode == 0 and done.stdout.decode("utf-8").count("sin") == 5


def test_text_to_a_file_and_a_bad_expression(tmp_path):
    done = _run([*NEURON, "-o", "graph.txt"], tmp_path, _no_dot(tmp_path))
    assert done.returncode == 0 and done.stdout == b"wrote graph.txt\n", done.stderr.decode()
    assert (tmp_path / "graph.txt").read_text(encoding="utf-8") == NEURON_TEXT
    done = _run(["graph", "tanh(x", "--at", "x=1", "--text"], tmp_path, _no_dot(tmp_path))
    assert done.returncode == 2 and b"never closed" in done.stderr and done.stdout == b""
