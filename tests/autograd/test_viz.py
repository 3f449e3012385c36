"""draw_dot / to_svg: what the picture contains (read back from the SVG), determinism across
processes, gradient flow on edges, highlighting for step-by-step backward, the size cap and
the error when Graphviz is missing."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import graphviz
import pytest
from hypothesis import given, settings

import autograd
from autograd import Value, backward_steps, draw_dot, to_svg
from autograd.viz import render, svg_or_none
from tests.strategies import ValueBackend, normal_programs

SVG = "{http://www.w3.org/2000/svg}"
HIGHLIGHT = "#fde047"


def _parse(svg: str) -> dict[str, list[ET.Element]]:
    """The SVG's node and edge groups, as Graphviz writes them."""
    root = ET.fromstring(svg)
    groups = list(root.iter(f"{SVG}g"))
    return {kind: [g for g in groups if g.get("class") == kind] for kind in ("node", "edge")}


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def _neuron():
    x, w, b = Value(1.0, label="x"), Value(-3.0, label="w"), Value(2.0, label="b")
    out = (x * w + b).tanh()
    return out, x, w, b


def test_neuron_svg_has_a_box_per_value_a_circle_per_op_and_an_edge_per_operand():
    out, x, w, b = _neuron()
    out.backward()
    svg = to_svg(out)
    parts = _parse(svg)
    # values x w b xw xw+b tanh, ops * + tanh; edges: 3 op->value, 5 value->op
    assert len(parts["node"]) == 9, f"expected 6 value and 3 op nodes, got {len(parts['node'])}"
    assert len(parts["edge"]) == 8, f"expected 8 edges, got {len(parts['edge'])}"
    texts = _texts(svg)
    for expected in (
        "x",
        "w",
        "b",
        "data 1",
        "data -3",
        "data -0.7616",
        "grad 1",
        "grad -1.26",
        "grad 0.42",
        "×",
        "+",
        "tanh",
    ):
        assert expected in texts, f"{expected!r} missing from the SVG texts {texts}"


def test_edges_point_in_the_direction_of_data_flow():
    x = Value(2.0, label="x")
    y = x.exp()
    source = draw_dot(y).source
    assert "v0 -> o1" in source and "o1 -> v1" in source, source


def test_node_used_twice_by_one_op_gets_two_edges():
    a = Value(3.0, label="a")
    parts = _parse(to_svg(a * a))
    assert len(parts["node"]) == 3, "a, a*a and the op"
    assert len(parts["edge"]) == 3, "a -> * twice, * -> a*a once"


def test_number_operands_appear_in_the_op_circle_not_as_nodes():
    x = Value(3.0, label="x")
    svg = to_svg((x * 2) ** 0.5)
    assert len(_parse(svg)["node"]) == 5, "x, x*2, x*2**0.5 and two ops; no node for 2 or 0.5"
    texts = _texts(svg)
    assert "×2" in texts and "^0.5" in texts, texts


def test_leaves_are_filled_and_intermediates_are_not():
    out, *_ = _neuron()
    lines = draw_dot(out).source.splitlines()
    filled = [ln for ln in lines if "fillcolor" in ln]
    assert len(filled) == 3 and all(
        "data -3" in ln or "data 1 " in ln or "data 2 " in ln for ln in filled
    ), filled


def test_show_grad_false_leaves_gradients_out():
    out, *_ = _neuron()
    assert not any(t.startswith("grad") for t in _texts(to_svg(out, show_grad=False)))


def test_rankdir_is_passed_to_graphviz_and_records_stay_horizontal():
    out, *_ = _neuron()
    tb = draw_dot(out, rankdir="TB").source
    assert "rankdir=TB" in tb and '"x | data 1 | grad 0"' in tb, tb
    assert '"{ x | data 1 | grad 0 }"' in draw_dot(out).source


def test_labels_with_record_and_quote_characters_render_verbatim():
    label = 'a|b{c}<d> "e" \\n'
    v = Value(1.0, label=label) * 2
    assert label in _texts(to_svg(v)), "the label must survive DOT escaping unchanged"


def test_same_graph_gives_identical_dot_and_svg_in_separate_processes():
    script = textwrap.dedent("""
        import sys
        from autograd import Value, draw_dot, to_svg
        a, b = Value(2.0, label="a"), Value(-1.5, label="b")
        c = a * b + a
        d = (c.tanh() * c + b ** 2).relu() + (a / b).exp()
        d.backward()
        sys.stdout.write(draw_dot(d, show_flow=True).source + to_svg(d, show_flow=True))
    """)
    outputs = []
    for seed in ("1", "2"):  # different hash seeds: set and dict order must not leak out
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1], "two processes drew the same graph differently"
    assert outputs[0].count("<svg") == 1


def test_without_dot_draw_dot_works_and_rendering_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # a directory without `dot`
    out, *_ = _neuron()
    assert draw_dot(out).source.startswith("digraph")
    with pytest.raises(RuntimeError) as err:
        to_svg(out)
    for hint in (
        "apt-get install graphviz",
        "brew install graphviz",
        "conda install -c conda-forge graphviz",
    ):
        assert hint in str(err.value), str(err.value)
    assert svg_or_none(out) is None and out._repr_svg_() is None, "Jupyter falls back to repr"


def _chain(n: int) -> Value:
    v = Value(0.5, label="x")
    for _ in range(n - 1):
        v = v.sin()
    return v


def test_graph_over_the_cap_is_refused_with_its_size_and_how_to_raise_the_cap():
    with pytest.raises(ValueError) as err:
        draw_dot(_chain(30), max_nodes=10)
    message = str(err.value)
    for part in ("30 value nodes", "max_nodes=10", "max_nodes=30", "--max-nodes 30"):
        assert part in message, message
    assert draw_dot(_chain(30), max_nodes=30).source.count("shape=record") == 30


def test_default_cap_is_a_few_hundred_nodes():
    assert "shape=record" in draw_dot(_chain(500)).source
    with pytest.raises(ValueError, match="501 value nodes"):
        draw_dot(_chain(501))
    assert svg_or_none(_chain(501)) is None, "over the cap, Jupyter shows the repr"


def test_bad_arguments_are_clear_errors():
    with pytest.raises(TypeError, match="expects a Value, got float"):
        draw_dot(3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(Value(1.0), rankdir="sideways")
    with pytest.raises(ValueError, match="max_nodes"):
        draw_dot(Value(1.0), max_nodes=0)


def _flow_edges(source: str) -> list[tuple]:
    """(value index, label) for every edge from a value into an op."""
    pattern = re.compile(r'^\tv(\d+) -> o\d+ \[.*label="?([^"\] ]+)"?', re.M)
    return [(int(i), float(label)) for i, label in pattern.findall(source)]


@settings(max_examples=60)
@given(normal_programs(max_nodes=20))
def test_flow_labels_on_a_nodes_outgoing_edges_sum_to_its_grad(program):
    out = program.run(ValueBackend)[-1]
    out.backward()
    order = autograd.topological_order(out)
    source = draw_dot(out, show_flow=True).source
    edges = _flow_edges(source)
    assert len(edges) == sum(len(n.parents) for n in order), "one label per operand edge"
    sums: dict[int, list[float]] = {}
    for i, label in edges:
        sums.setdefault(i, []).append(label)
    for i, node in enumerate(order):
        if node is out:
            continue
        labels = sums[i]
        tolerance = 1e-3 * sum(abs(x) for x in labels) + 1e-9  # labels keep 4 digits
        assert abs(sum(labels) - node.grad) <= tolerance, (
            f"{program}\nnode v{i}: grad {node.grad} but its edges say {labels}"
        )


def test_flow_labels_sum_to_grad_where_a_node_feeds_an_op_and_its_child():
    a = Value(1.0, label="a")
    b = a * 2
    b.label = "b"
    d = b + b.exp()  # b reaches d directly and through exp(b)
    d.backward()
    order = autograd.topological_order(d)
    edges = _flow_edges(draw_dot(d, show_flow=True).source)
    labels_from_b = [label for i, label in edges if order[i] is b]
    assert sorted(labels_from_b) == pytest.approx(sorted([1.0, math.exp(2.0)]), rel=1e-3)
    assert b.grad == pytest.approx(1.0 + math.exp(2.0)), "b's grad is the sum over both paths"
    assert a.grad == pytest.approx(2.0 * (1.0 + math.exp(2.0)))


def test_flow_on_a_times_a_shows_each_path_separately():
    a = Value(3.0, label="a")
    y = a * a
    y.backward()
    assert [label for _, label in _flow_edges(draw_dot(y, show_flow=True).source)] == [3.0, 3.0]
    assert a.grad == 6.0


def _stepping_graph():
    x, w = Value(0.5, label="x"), Value(-2.0, label="w")
    h = (x * w).tanh()
    return [x, w], h * h + x


def test_backward_steps_match_backward_and_highlight_marks_the_nodes_done():
    leaves, out = _stepping_graph()
    out.backward()
    expected = [v.grad for v in leaves]

    leaves, out = _stepping_graph()
    order = autograd.topological_order(out)
    done: list[Value] = []
    for step in backward_steps(out):
        assert step.grad == step.node.grad, "a step reports the node's finished gradient"
        done.append(step.node)
        source = draw_dot(out, highlight=done).source
        ops_done = sum(1 for v in done if v.parents)
        assert source.count(HIGHLIGHT) == len(done) + ops_done, (
            f"after {len(done)} steps, expected {len(done)} boxes and {ops_done} ops marked"
        )
    assert done[0] is out and len(done) == len(order)
    assert [v.grad for v in leaves] == pytest.approx(expected, rel=1e-12)
    svg = to_svg(out, highlight=done[:1])
    assert svg.count(f'fill="{HIGHLIGHT}"') == 2, "the root's box and its op circle"


def test_jupyter_displays_the_digraph_and_a_value_inline():
    out, *_ = _neuron()
    dot = draw_dot(out)
    assert isinstance(dot, graphviz.Digraph)
    bundle = dot._repr_mimebundle_()
    assert "image/svg+xml" in bundle and "<svg" in bundle["image/svg+xml"]
    svg = out._repr_svg_()
    assert svg is not None and len(_parse(svg)["node"]) == 9


def test_render_produces_png_and_pdf_bytes():
    out, *_ = _neuron()
    assert render(out, "png").startswith(b"\x89PNG")
    assert render(out, "pdf").startswith(b"%PDF")
    assert render(out, "dot").startswith(b"digraph")
