"""The `chainrule` command line, run as a real subprocess: hostile and malformed expressions
exit 2 with one clear line and run nothing; `graph` writes every format; --help, --version;
a missing Graphviz; `demo` end to end."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, Optional

import pytest

import autograd

CLI = [sys.executable, "-m", "autograd.cli"]
NEURON = ["graph", "tanh(x*w + b)", "--at", "x=1,w=-3,b=2"]


def _run(args, cwd: Path, env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], cwd=cwd, env=env, capture_output=True,
                          timeout=120, check=False)


def _svg_nodes(svg: bytes) -> int:
    groups = ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g")
    return sum(1 for g in groups if g.get("class") == "node")


# Each row runs in its own process, to see the exit status. MARK is replaced by a file path
# that must not exist afterwards: nothing in the expression may run.
HOSTILE = [
    ("__import__('os').system('touch MARK')", "x=1", 1, "call to \"__import__('os').system\""),
    ("open('MARK', 'w').write('x')", "x=1", 1, "call to \"open("),
    ("exec(\"open('MARK', 'w')\")", "x=1", 1, "call to 'exec'"),
    ("x.__class__.__bases__", "x=1", 1, "attribute access"),
    ("tanh(x)[0]", "x=1", 1, "subscript"),
    ("(lambda: open('MARK', 'w'))()", "x=1", 2, "call to \"lambda: open("),
    ("[open('MARK', 'w') for _ in 'a']", "x=1", 1, "comprehension"),
    ("f'{open(\"MARK\", \"w\")}'", "x=1", 1, "f-string"),
    ("'MARK'", "x=1", 1, "string"),
    ("x + (y := 3)", "x=1", 6, "assignment expression"),
    ("x if x < 1 else x", "x=1", 1, "conditional expression"),
    ("import os", "x=1", 1, "invalid syntax"),
    ("exp(x, base=2)", "x=1", 8, "keyword argument 'base=2'"),
    ("sinh(x)", "x=1", 1, "call to 'sinh'"),
    ("x * y", "x=1", 5, "unknown variable 'y'"),
    ("tanh(x", "x=1", 5, "never closed"),
    ("x * w", "x=1,w=oops", 7, "--at column 7: 'oops' is not a number"),
    ("x * w", "x=1,x=2", 5, "--at column 5: variable 'x' is given twice"),
    ("x", "x", 1, "--at column 1: 'x' is not NAME=NUMBER"),
]


@pytest.mark.parametrize("expression, at, column, words", HOSTILE,
                         ids=[f"{i}-{row[0][:24]}" for i, row in enumerate(HOSTILE)])
def test_refused_expression_exits_2_with_one_line_and_runs_nothing(
        tmp_path, expression, at, column, words):
    mark = tmp_path / "pwned"
    expression = expression.replace("MARK", str(mark))
    words = words.replace("MARK", str(mark))
    done = _run(["graph", expression, "--at", at, "-o", "out.svg"], tmp_path)
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr, stderr
    assert stderr.startswith("chainrule: error: ") and f"column {column}: " in stderr, stderr
    assert words in stderr, stderr
    assert done.stdout == b"", "nothing written to stdout"
    assert not mark.exists(), "nothing in the expression may run"
    assert not (tmp_path / "out.svg").exists(), "nothing may be written"


@pytest.mark.parametrize("suffix, magic", [
    (".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF"), (".dot", b"digraph"),
])
def test_graph_writes_the_format_named_by_the_extension(tmp_path, suffix, magic):
    done = _run([*NEURON, "-o", f"graph{suffix}"], tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    data = (tmp_path / f"graph{suffix}").read_bytes()
    assert data.startswith(magic), data[:40]
    if suffix == ".svg":
        assert _svg_nodes(data) == 9, "6 values and 3 ops"


def test_graph_to_stdout_is_svg_or_dot_with_the_options_applied(tmp_path):
    done = _run([*NEURON, "-o", "-"], tmp_path)
    assert done.returncode == 0 and _svg_nodes(done.stdout) == 9
    done = _run([*NEURON, "--format", "dot", "--rankdir", "TB", "--flow", "--no-grad"], tmp_path)
    source = done.stdout.decode()
    assert done.returncode == 0 and source.startswith("digraph"), done.stderr.decode()
    assert "rankdir=TB" in source and "grad " not in source
    assert source.count("label=0.42") == 4, "w, b, x*w and x*w+b each carried 0.42 back"


def test_graph_refuses_a_graph_over_the_cap_unless_max_nodes_raises_it(tmp_path):
    args = ["graph", "sin(sin(sin(sin(sin(x)))))", "--at", "x=1", "--format", "dot"]
    done = _run([*args, "--max-nodes", "5"], tmp_path)
    stderr = done.stderr.decode()
    assert done.returncode == 2 and "6 value nodes" in stderr and "--max-nodes 6" in stderr, stderr
    done = _run([*args, "--max-nodes", "6"], tmp_path)
    assert done.returncode == 0 and done.stdout.decode().count("shape=record") == 6


def test_unknown_extension_and_unwritable_path_are_one_line_errors(tmp_path):
    done = _run([*NEURON, "-o", "graph.jpg"], tmp_path)
    assert done.returncode == 2 and b"--format" in done.stderr, done.stderr
    done = _run([*NEURON, "-o", str(tmp_path / "missing" / "graph.svg")], tmp_path)
    stderr = done.stderr.decode()
    assert done.returncode == 1 and "cannot write" in stderr and len(stderr.splitlines()) == 1


def test_without_dot_rendering_fails_with_install_hint_but_dot_source_works(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no `dot` here
    done = _run([*NEURON, "-o", "graph.svg"], tmp_path, env)
    stderr = done.stderr.decode()
    assert done.returncode == 1 and len(stderr.splitlines()) == 1, stderr
    assert "apt-get install graphviz" in stderr and "brew install graphviz" in stderr, stderr
    done = _run([*NEURON, "-o", "graph.dot"], tmp_path, env)
    assert done.returncode == 0 and (tmp_path / "graph.dot").read_text().startswith("digraph")


def test_help_and_version(tmp_path):
    done = _run(["--help"], tmp_path)
    assert done.returncode == 0 and b"graph" in done.stdout and b"demo" in done.stdout
    done = _run(["graph", "--help"], tmp_path)
    assert done.returncode == 0 and b"--at" in done.stdout and b"--max-nodes" in done.stdout
    done = _run(["--version"], tmp_path)
    assert done.returncode == 0
    assert done.stdout.decode().strip() == f"chainrule {autograd.__version__}"
    done = _run([], tmp_path)
    assert done.returncode == 2 and b"usage:" in done.stderr


def test_console_script_is_installed_next_to_python(tmp_path):
    script = Path(sys.executable).with_name("chainrule")
    assert script.exists(), f"`pip install -e .` should have made {script}"
    done = subprocess.run([str(script), "--version"], capture_output=True, timeout=60, check=False)
    assert done.returncode == 0 and done.stdout.decode().startswith("chainrule ")


def test_demo_trains_and_writes_its_three_pictures(tmp_path):
    done = _run(["demo", "--out", "pictures", "--epochs", "3", "--quiet"], tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    assert b"accuracy" in done.stdout, done.stdout
    out = tmp_path / "pictures"
    assert (out / "decision_boundary.png").read_bytes().startswith(b"\x89PNG")
    assert (out / "loss.png").read_bytes().startswith(b"\x89PNG")
    assert _svg_nodes((out / "neuron.svg").read_bytes()) >= 3, "a neuron: inputs, op, output"
