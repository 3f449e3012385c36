"""text_graph: the graph as an indented text tree. Exact text for small graphs; a shared
node printed once and then referred to; line count = edges + blocks, so an MLP's loss stays
linear; the draw_dot cap and wording; deep chains without recursion; no Graphviz, standard
library only, and the same text in every process."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

import autograd
import nn
from autograd import Value, dot, draw_dot, max_values, sum_values, text_graph, topological_order
from autograd.textgraph import MAX_DEPTH

ROOT = Path(__file__).resolve().parents[2]
BRANCHES = ("├─ ", "└─ ", "│  ", "   ")


def _neuron() -> Value:
    x, w, b = Value(1.0, label="x"), Value(-3.0, label="w"), Value(2.0, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    y.backward()
    return y


def _shape(root: Value, text: str) -> tuple:
    """(nodes, edges, blocks, printed lines, reference lines) of root's graph and its text."""
    order = topological_order(root)
    lines = text.split("\n")
    blocks = sum(1 for line in lines if not line.startswith(BRANCHES))
    refs = sum(1 for line in lines if "see [" in line)
    return len(order), sum(len(v.parents) for v in order), blocks, len(lines) - refs, refs


def test_neuron_reads_as_a_tree_with_label_op_data_and_grad() -> None:
    assert text_graph(_neuron()) == (
        "y = tanh  data -0.7616  grad 1\n"
        "└─ +  data -1  grad 0.42\n"
        "   ├─ ×  data -3  grad 0.42\n"
        "   │  ├─ x  data 1  grad -1.26\n"
        "   │  └─ w  data -3  grad 0.42\n"
        "   └─ b  data 2  grad 0.42"
    )
    assert text_graph(_neuron(), show_grad=False).split("\n")[-1] == "   └─ b  data 2"
    assert "grad" not in text_graph(_neuron(), show_grad=False)


def test_nn_neuron_is_its_fused_dot_and_activation() -> None:
    out = nn.Neuron(2, activation="tanh", seed=0)([1.0, -2.0])
    out.backward()
    lines = text_graph(out).split("\n")
    assert lines[0].startswith("tanh  data ") and lines[1].startswith("└─ w·x+b  data ")
    assert [line[:6] for line in lines[2:]] == ["   ├─ ", "   ├─ ", "   └─ "]
    assert [line.split()[1] for line in lines[2:]] == ["w1", "w2", "b"]


def test_shared_node_is_printed_once_then_referred_to() -> None:
    x = Value(3.0, label="x")
    y = x * x + x
    y.backward()
    assert text_graph(y) == (
        "+  data 12  grad 1\n"
        "├─ ×  data 9  grad 1\n"
        "│  ├─ [1] x  data 3  grad 7\n"
        "│  └─ ↑ see [1] x\n"
        "└─ ↑ see [1] x"
    )


def test_number_operands_show_in_the_op_as_in_draw_dot() -> None:
    x = Value(3.0, label="x")
    cases = {
        "×2": x * 2,
        "2÷": 2 / x,
        "÷4": x / 4,
        "^0.5": x**0.5,
        "2^": 2**x,
        "+-1": x - 1,
        "×-1": -x,
        "+0.5": 0.5 + x,
        "Σ": sum_values([x, 1.0, x]),
        "max": max_values([x, 2.0]),
        "w·x+b": dot([x], [2.0], 1.0),
        "√": x.sqrt(),
        "σ": x.sigmoid(),
        "|·|": abs(x),
    }
    for op, v in cases.items():
        first = text_graph(v).split("\n")[0]
        assert first.startswith(f"{op}  data "), (op, first)
        source = draw_dot(v).source  # the same op text as the picture
        assert f'label="{op}"' in source or f"label={op} " in source, op


def test_labels_numbers_and_unlabelled_leaves() -> None:
    a = Value(float("inf"), label="a\nb\tc")  # a label never breaks the line
    c = Value(-0.0)
    out = (a * c) + Value(float("nan"), label="n")
    text = text_graph(out, show_grad=False)
    assert text == (
        "+  data nan\n├─ ×  data nan\n│  ├─ a b c  data inf\n│  └─ data 0\n└─ n  data nan"
    )


def test_mlp_loss_prints_every_node_once_in_lines_linear_in_its_size() -> None:
    sizes = []
    for n in (4, 8, 16):
        X, y = nn.data.moons(n, noise=0.1, seed=1)
        model = nn.MLP(2, [4, 4, 1], seed=0)
        loss = nn.losses.hinge([model(x) for x in X], [2 * t - 1 for t in y])
        loss.backward()
        text = text_graph(loss, max_nodes=10_000)
        nodes, edges, blocks, printed, refs = _shape(loss, text)
        assert printed == nodes  # each node once: shared weights and hidden units referred to
        assert refs == edges - nodes + blocks and len(text.split("\n")) == edges + blocks
        assert len(text.split("\n")) < 4 * nodes
        sizes.append((nodes, len(text.split("\n"))))
    (n1, l1), (n2, l2), (n3, l3) = sizes
    assert n3 - n2 == 2 * (n2 - n1) and l3 - l2 == 2 * (l2 - l1)  # 8 samples add twice 4's


def test_over_the_cap_is_the_draw_dot_error_naming_size_and_cap() -> None:
    x = Value(1.0)
    for _ in range(29):
        x = x.tanh()
    with pytest.raises(ValueError) as caught:
        text_graph(x, max_nodes=10)
    for part in (
        "the graph has 30 value nodes, more than max_nodes=10; ",
        "text_graph(..., max_nodes=30)",
        "--max-nodes 30",
    ):
        assert part in str(caught.value)
    with pytest.raises(ValueError) as drawn:
        draw_dot(x, max_nodes=10)
    assert str(drawn.value).split(";")[0] == str(caught.value).split(";")[0]
    assert _shape(x, text_graph(x, max_nodes=30))[3] == 30
    default = inspect.signature(text_graph).parameters["max_nodes"].default
    assert default == inspect.signature(draw_dot).parameters["max_nodes"].default


def test_bad_arguments_are_named() -> None:
    with pytest.raises(TypeError, match="text_graph\\(\\) expects a Value, got float"):
        text_graph(1.0)  # type: ignore[arg-type]
    for bad in (0, -1, True, 1.5, "10"):
        with pytest.raises(ValueError, match="max_nodes must be a positive int"):
            text_graph(Value(1.0), max_nodes=bad)  # type: ignore[arg-type]


def test_deep_chain_moves_subtrees_to_the_margin_without_recursion() -> None:
    x = Value(0.5, label="x0")
    for i in range(100_000):
        x = x * 1.0 if i % 2 else x + 0.001
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # any recursion on depth would fail at once
    try:
        text = text_graph(x, max_nodes=100_001)
    finally:
        sys.setrecursionlimit(limit)
    lines = text.split("\n")
    nodes, edges, blocks, printed, refs = _shape(x, text)
    assert printed == nodes == 100_001 and len(lines) == edges + blocks
    assert blocks == refs + 1 > 100_000 // (MAX_DEPTH + 2)  # one "↓ see [n]" per moved block
    assert max(len(line) for line in lines) < 3 * (MAX_DEPTH + 1) + 30
    assert lines[-1].endswith("x0  data 0.5  grad 0")
    heads = [line for line in lines if line.startswith("[")]
    assert heads[0].startswith("[1] ") and heads[-1].startswith(f"[{len(heads)}] ")
    assert sum(1 for line in lines if "↓ see [1] " in line) == 1


def test_wide_node_and_a_node_shared_before_it_is_moved() -> None:
    xs = [Value(float(i), label=f"x{i}") for i in range(10_000)]
    s = sum_values(xs)
    assert len(text_graph(s, max_nodes=20_000).split("\n")) == 10_001
    deep = Value(1.0, label="d")
    for _ in range(3 * MAX_DEPTH):
        deep = deep.sin()
    top = deep  # reached first too deep to indent, then from the root's second operand
    chain = top
    for _ in range(MAX_DEPTH):
        chain = chain.cos()
    root = chain * top
    text = text_graph(root)
    nodes, edges, blocks, printed, _refs = _shape(root, text)
    assert printed == nodes and len(text.split("\n")) == edges + blocks
    lines = text.split("\n")
    head = [i for i, line in enumerate(lines) if line.startswith("[1] sin  data ")]
    assert len(head) == 1 and lines[head[0] - 1] == "└─ ↓ see [1] sin"  # not printed yet: below
    assert sum(1 for line in lines if line.endswith("↓ see [1] sin")) == 2


def test_text_graph_changes_nothing_and_repeats_itself() -> None:
    y = _neuron()
    grads = [v.grad for v in topological_order(y)]
    assert text_graph(y) == text_graph(y) == text_graph(_neuron())
    assert [v.grad for v in topological_order(y)] == grads


def mlp_text() -> str:
    """An MLP's loss with shared weights, hidden units and inputs, as text (run in processes)."""
    X, y = nn.data.moons(6, noise=0.1, seed=1)
    model = nn.MLP(2, [3, 3, 1], seed=0)
    loss = nn.losses.hinge([model(x) for x in X], [2 * t - 1 for t in y])
    loss = loss + (X[0][0] * model(X[1])) ** 2
    loss.backward()
    return text_graph(loss, max_nodes=5000)


_PROGRAM = """
import shutil, sys
assert shutil.which("dot") is None, "dot is on PATH"
from tests.autograd.test_textgraph import mlp_text
sys.stdout.buffer.write(mlp_text().encode("utf-8"))
"""


def _run(tmp_path: Path, seed: str) -> bytes:
    env = {**os.environ, "PATH": str(tmp_path), "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_same_text_in_two_processes_without_dot_on_path(tmp_path: Path) -> None:
    first, second = _run(tmp_path, "1"), _run(tmp_path, "2")
    assert first == second == mlp_text().encode("utf-8")  # and the same as in this process
    assert first.count(b"\n") > 100 and "↑ see [".encode() in first


def test_text_graph_needs_only_the_standard_library(tmp_path: Path) -> None:
    """autograd.textgraph loaded with graphviz made unimportable and without running
    autograd/__init__.py (which still imports viz): only stdlib and autograd modules load."""
    program = f"""
import sys, types
sys.modules["graphviz"] = None  # importing it now raises ImportError
package = types.ModuleType("autograd")
package.__path__ = [{str(ROOT / "autograd")!r}]
sys.modules["autograd"] = package
before = set(sys.modules)
from autograd.textgraph import text_graph
from autograd.value import Value
x = Value(2.0, label="x")
print(text_graph((x * x).tanh()))
extra = {{m.split(".")[0] for m in set(sys.modules) - before}}
assert extra <= set(sys.stdlib_module_names) | {{"autograd"}}, extra - set(sys.stdlib_module_names)
"""
    done = subprocess.run(
        [sys.executable, "-I", "-c", program],
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().startswith("tanh  data 0.9993  grad 0\n└─ ×  data 4  grad 0\n")


def test_exported_from_autograd() -> None:
    assert autograd.text_graph is text_graph and "text_graph" in autograd.__all__
