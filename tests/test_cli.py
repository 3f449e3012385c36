"""The `chainrule` command line (nn/cli.py), run as a real subprocess: hostile expressions
exit 2 with the parser's one line and run nothing; `graph` writes every format; --help, --version;
a missing Graphviz; `demo` end to end."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import autograd
from autograd.expr import ExprError, build, parse_assignments
from tests.refused import REFUSED

CLI = [sys.executable, "-m", "nn.cli"]
NEURON = ["graph", "tanh(x*w + b)", "--at", "x=1,w=-3,b=2"]


def _run(args, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, *args], cwd=cwd, env=env, capture_output=True, timeout=120, check=False
    )


def _svg_nodes(svg: bytes) -> int:
    groups = ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g")
    return sum(1 for g in groups if g.get("class") == "node")


def test_refused_payloads_exit_2_with_the_parsers_one_line_and_run_nothing(tmp_path):
    """A smoke test of the command around the parser (whose every refusal test_expr.py
    checks): each row of the table that carries a payload, in its own process."""
    mark = tmp_path / "pwned"
    rows = [row for row in REFUSED if row.is_payload]
    assert len(rows) >= 5, "the table's payload rows"
    for row in rows:
        expression = row.expression.replace("MARK", str(mark))
        with pytest.raises(ExprError) as parsed:
            build(expression, parse_assignments(row.at))
        done = _run(["graph", expression, "--at", row.at, "-o", "out.svg"], tmp_path)
        stderr = done.stderr.decode()
        assert done.returncode == 2, (row, stderr)
        assert stderr == f"chainrule: error: {parsed.value}\n", (row, stderr)
        assert row.words in stderr, (row, stderr)
        assert done.stdout == b"", "nothing written to stdout"
        assert not mark.exists(), f"nothing in the expression may run: {row}"
        assert not (tmp_path / "out.svg").exists(), "nothing may be written"


@pytest.mark.parametrize(
    "suffix, magic",
    [
        (".svg", b"<?xml"),
        (".png", b"\x89PNG"),
        (".pdf", b"%PDF"),
        (".dot", b"digraph"),
    ],
)
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
