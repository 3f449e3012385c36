"""stepper without a browser: the data behind the page equals backward_steps, the gradients
are left as backward() leaves them, the node cap and missing Graphviz, the captions' formulas,
the saved file (atomic, self-contained), and the display hook Jupyter calls."""

from __future__ import annotations

import json
import math
import os
import re

import pytest

import autograd
from autograd import Value, backward_steps, draw_dot, stepper, topological_order
from autograd.stepper import PENDING, caption


def _shared_weight():
    x, w = Value(1.5, label="x"), Value(0.8, label="w")
    z = w * x
    z.label = "z"
    h = z.tanh()
    h.label = "h"
    o = w * h
    o.label = "o"
    return o, x, w


def _fmt4(x: float) -> str:
    return "0" if x == 0 else f"{x:.4g}"


def _embedded(fragment: str) -> dict:
    text = re.search(
        r'<script type="application/json" data-role="steps">(.*?)</script>', fragment, re.DOTALL
    ).group(1)
    return json.loads(text)


def test_stepper_is_exported_from_autograd():
    assert autograd.stepper is stepper
    assert "stepper" in autograd.__all__


def test_each_step_shows_backward_steps_grad_and_sends():
    o, _, _ = _shared_weight()
    s = stepper(o)
    fresh, _, _ = _shared_weight()
    expected = list(backward_steps(fresh))
    assert len(s) == len(expected) == 5
    for got, step in zip(s.steps, expected):
        assert got["grad"] == f"grad {_fmt4(step.grad)}", (got, step)
        assert [label for _, label in got["sends"]] == [_fmt4(a) for _, a in step.sends]
        assert (got["op"] is None) == (not step.sends), "only op nodes have a circle to light"
    assert _embedded(s.html)["steps"] == s.steps, "the page embeds exactly these steps"


def test_gradients_afterwards_are_what_backward_leaves_and_leaves_accumulate():
    o, x, w = _shared_weight()
    ref, rx, rw = _shared_weight()
    ref.backward()
    stepper(o)
    assert (x.grad, w.grad) == (rx.grad, rw.grad)
    ref.backward()
    stepper(o)  # a second time accumulates into the leaves, as backward() does
    assert (x.grad, w.grad) == (rx.grad, rw.grad)
    assert abs(w.grad - 2 * 1.1996786) < 1e-6


def test_node_used_twice_has_one_edge_per_use_each_with_its_share():
    x = Value(3.0, label="x")
    out = x * x + x
    s = stepper(out)
    square = s.steps[1]
    edges = [edge for edge, _ in square["sends"]]
    assert len(set(edges)) == 2, f"x * x must light two distinct edges, got {edges}"
    assert [label for _, label in square["sends"]] == ["3", "3"]
    assert s.steps[-1]["grad"] == "grad 7" and x.grad == 7.0  # 2x + 1


def test_over_the_cap_is_draw_dots_error_and_touches_no_gradient():
    x = Value(2.0, label="x")
    out = (x * x).tanh() + x
    with pytest.raises(ValueError) as drawn:
        draw_dot(out, max_nodes=3)
    with pytest.raises(ValueError) as stepped:
        stepper(out, max_nodes=3)
    assert str(stepped.value) == str(drawn.value)
    assert "max_nodes=3" in str(stepped.value)
    assert all(node.grad == 0.0 for node in topological_order(out))


def test_not_a_value_is_a_type_error():
    with pytest.raises(TypeError, match="expects a Value"):
        stepper(3.0)  # type: ignore[arg-type]


def test_without_graphviz_a_runtime_error_and_the_gradients_are_put_back(monkeypatch, tmp_path):
    o, x, w = _shared_weight()
    x.grad = 0.25
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` here
    with pytest.raises(RuntimeError, match="Graphviz"):
        stepper(o)
    assert (x.grad, w.grad, o.grad) == (0.25, 0.0, 0.0)


def test_caption_states_the_chain_rule_with_the_numbers():
    x = Value(2.0)
    t = x.tanh()
    steps = list(backward_steps(t))
    assert caption(steps[0]) == (
        "the tanh node: its gradient 1 is complete; it sends "
        "1 × (1 − 0.964²) = 0.07065 to its input."
    )
    assert "leaf" in caption(steps[1]) and "0.07065" in caption(steps[1])
    y = Value(-3.0, label="w") * Value(1.0, label="x")
    assert "1 × 1 = 1 to w; 1 × (-3) = -3 to x." in caption(next(backward_steps(y)))
    assert "(1 − (-0.7616)²)" in caption(next(backward_steps(Value(-1.0).tanh())))


_EVAL = {"__builtins__": {}, "cos": math.cos, "sin": math.sin}


_OPS = {
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "exp": lambda a, b: a.exp(),
    "log": lambda a, b: a.log(),
    "sin": lambda a, b: a.sin(),
    "cos": lambda a, b: a.cos(),
    "sqrt": lambda a, b: a.sqrt(),
    "mul": lambda a, b: a * b,
    "add": lambda a, b: a + b,
}


@pytest.mark.parametrize(
    "op,at",
    [
        (op, at)
        for op in _OPS
        for at in ((0.7, 1.3), (-0.6, -1.7))
        if not (op == "sqrt" and at[0] < 0)
    ],
)
def test_caption_formula_evaluates_to_the_amount_sent(op, at):
    build = _OPS[op]
    a, b = Value(at[0], label="a"), Value(at[1], label="b")
    out = build(a, b)
    step = next(backward_steps(out, grad=2.0))
    text = caption(step)
    for (parent, amount), part in zip(step.sends, text.split("; it sends ")[1].split("; ")):
        product = part.split(" = ")[0]
        assert product.startswith("2 × "), part
        formula = product[4:].replace("×", "*").replace("−", "-").replace("²", "**2")
        local = eval(formula, _EVAL)  # our own caption text, digits and operators only
        assert math.isclose(2 * local, amount, rel_tol=2e-3), (text, amount)
        assert part.rstrip(".").endswith(f"= {_fmt4(amount)} to {parent.label}"), part


def test_save_writes_one_self_contained_page_atomically(tmp_path):
    o, _, _ = _shared_weight()
    s = stepper(o)
    path = tmp_path / "steps.html"
    path.write_text("old", encoding="utf-8")
    s.save(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text == s.page()
    assert os.listdir(tmp_path) == ["steps.html"], "no temporary file left behind"
    for external in ("<link", " src=", "@import", "url(", "<iframe"):
        assert external not in text, f"the page must not load anything: found {external!r}"
    assert re.findall(r'https?://[^"\s]*', text) == [
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    ], "only SVG namespaces"


def test_save_into_a_missing_folder_raises_and_writes_nothing(tmp_path):
    s = stepper(Value(1.0) * 2)
    with pytest.raises(OSError):
        s.save(tmp_path / "no" / "steps.html")
    assert os.listdir(tmp_path) == []


def test_a_hostile_label_cannot_end_the_script_or_inject_markup():
    x = Value(1.0, label="</script><script>alert(1)</script>")
    s = stepper(x.tanh())
    assert s.html.count("</script>") == 2, "only the data block and the script end a script"
    assert "<script>alert" not in s.html
    assert _embedded(s.html)["steps"][1]["caption"].startswith("</script><script>alert(1)")


def test_before_the_first_step_only_the_seed_is_known():
    o, _, _ = _shared_weight()
    data = _embedded(stepper(o).html)
    assert data["pending"] == PENDING and "?" in PENDING
    assert "o's gradient is known, the seed 1" in data["start"]


def test_jupyter_shows_it_as_html():
    from IPython.core.formatters import DisplayFormatter

    s = stepper(Value(2.0, label="x").exp())
    shown, _ = DisplayFormatter().format(s)
    assert shown["text/html"] == s.html
    assert 'data-action="next"' in shown["text/html"]
    assert "<svg" in shown["text/html"] and "<?xml" not in shown["text/html"]
