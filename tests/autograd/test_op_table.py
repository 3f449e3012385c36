"""The op table (autograd/ops.py) against every consumer, in both directions.

An op added to the table but missing from Value, the command line, the drawing, the
package's exports, README or the tests' tables fails here; so does a consumer that
knows an op the table lacks.
"""

from __future__ import annotations

import math
import operator
import pathlib
import re

import pytest

import autograd
from autograd import Value, draw_dot, expr, ops
from tests.cases import CASES
from tests.strategies import ALL_OPS, DERIVED_BINARY, DERIVED_UNARY
from tests.torch_oracle import TWINS

README = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
TABLE = list(ops.OPS.values())
BINARY = {"+": operator.add, "*": operator.mul, "/": operator.truediv, "**": operator.pow}
NAMES = {op.name for op in TABLE}


def make(op: ops.Op, first: float = 0.75) -> Value:
    """One node of op, made the way a user makes it, from Value leaves."""
    x, y, z = Value(first), Value(1.5), Value(-0.25)
    if op.key == "pow_scalar":
        return x**2.5
    if op.arity == 2:
        return BINARY[op.name](x, y)
    if op.arity == 1:
        return getattr(x, op.method)()
    if op.name == "dot":
        return autograd.dot([x, y], [z, x], y)
    return getattr(autograd, op.function)([x, y, z])


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.key)
def test_every_op_makes_a_node_named_as_the_table_says(op: ops.Op) -> None:
    node = make(op)
    assert isinstance(node, Value) and node.op == op.name
    assert ops.form_of(node._rule).op is op, "the node's backward is the table op's"


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.key)
def test_anomaly_detection_names_every_op(op: ops.Op) -> None:
    with autograd.detect_anomaly():
        make(op)  # a finite result passes
        with pytest.raises(FloatingPointError, match=rf"^detect_anomaly: {re.escape(op.name)} "):
            make(op, math.nan)


@pytest.mark.parametrize("op", [op for op in TABLE if op.method], ids=lambda op: op.key)
def test_every_method_of_the_table_is_on_value(op: ops.Op) -> None:
    assert callable(getattr(Value, op.method, None)), f"Value has no {op.method}"
    assert getattr(Value(0.5), op.method)().op == op.name


def _public_methods_making_nodes() -> list[str]:
    """Value's public methods that, called on a Value with no argument, return a new node."""
    found = []
    for name in dir(Value):
        attribute = getattr(Value, name)
        if name.startswith("_") or not callable(attribute):
            continue
        try:
            out = attribute(Value(0.5))
        except TypeError:  # needs arguments: not an op method
            continue
        if isinstance(out, Value) and out.op:
            found.append(name)
    return found


def test_every_public_value_method_that_makes_a_node_is_in_the_table() -> None:
    methods = {op.method for op in TABLE if op.method}
    assert set(_public_methods_making_nodes()) == methods - {"__abs__"}


@pytest.mark.parametrize(
    "dunder",
    [
        "__add__",
        "__radd__",
        "__sub__",
        "__rsub__",
        "__mul__",
        "__rmul__",
        "__truediv__",
        "__rtruediv__",
        "__pow__",
        "__rpow__",
        "__neg__",
        "__abs__",
    ],
)
def test_every_operator_makes_table_ops_only(dunder: str) -> None:
    """Operators, derived ones too (-, unary -), make nodes of table ops, with a Value or
    a number on the other side."""
    others = [()] if dunder in ("__neg__", "__abs__") else [(2.0,), (Value(2.0),)]
    for args in others:
        out = getattr(Value(0.5), dunder)(*args)
        if out is NotImplemented:  # a reflected operator is only called with a number
            continue
        assert {n.op for n in autograd.topological_order(out)} - {""} <= NAMES


def test_command_line_functions_are_exactly_the_tables() -> None:
    assert set(expr.FUNCTIONS) == {op.cli for op in TABLE if op.cli}
    assert len(expr.FUNCTIONS) == len(set(expr.FUNCTIONS))


@pytest.mark.parametrize("op", [op for op in TABLE if op.cli], ids=lambda op: op.cli)
def test_every_command_line_function_builds_its_op(op: ops.Op) -> None:
    call = f"{op.cli}(x, y)" if op.arity < 0 else f"{op.cli}(x)"
    out, _ = expr.build(call, {"x": 0.5, "y": -1.5})
    assert out.op == op.name


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.key)
def test_every_ops_symbol_is_drawn(op: ops.Op) -> None:
    node = make(op)
    source = draw_dot(node).source
    assert op.symbol and op.symbol in source, f"{op.symbol!r} not in the drawing of {op.key}"


@pytest.mark.parametrize("op", [op for op in TABLE if op.arity < 0], ids=lambda op: op.key)
def test_every_many_input_op_is_made_by_an_exported_function(op: ops.Op) -> None:
    assert op.function in autograd.__all__
    assert make(op).op == op.name


def test_every_op_has_a_domain_per_operand_and_params_with_defaults() -> None:
    for op in TABLE:
        assert len(op.domain) == (op.arity if op.arity > 0 else 1), op.key
        assert all(low < high for low, high in op.domain), op.key
        for name, default in op.params:  # the default is what the method uses unasked
            x = Value(-0.5)
            assert name.isidentifier() and isinstance(default, float), op.key
            assert getattr(x, op.method)(default).data == getattr(x, op.method)().data


def test_every_op_has_a_torch_twin_and_nothing_else_does() -> None:
    """tests/torch_oracle.TWINS: one twin per table key; an op without one fails here."""
    assert set(TWINS) == set(ops.OPS)


def test_the_tests_tables_cover_every_op() -> None:
    assert NAMES <= set(ALL_OPS), NAMES - set(ALL_OPS)
    assert set(ALL_OPS) - NAMES == set(DERIVED_UNARY) | set(DERIVED_BINARY)
    assert set(ops.OPS) <= {case.name for case in CASES}


# --- README ---------------------------------------------------------------------------


def _readme_row(what: str) -> str:
    match = re.search(rf"^\| {what} \| (.*) \|$", README, flags=re.M)
    assert match, f"README's engine table has no '{what}' row"
    return match.group(1)


def test_readme_mentions_every_method_and_function_of_the_table() -> None:
    names = {op.method for op in TABLE if op.method} | {op.function for op in TABLE}
    names = {n.strip("_") for n in names if n}
    missing = sorted(n for n in names if not re.search(rf"\b{n}\b", README))
    assert not missing, f"README does not mention {missing}"


def test_readme_function_row_lists_exactly_the_tables_one_operand_methods() -> None:
    listed = re.findall(r"(\w+)\(", _readme_row("functions"))
    methods = [op.method for op in TABLE if op.arity == 1 and not op.method.startswith("_")]
    assert sorted(listed) == sorted(methods)


def test_readme_fused_row_lists_exactly_the_tables_many_input_functions() -> None:
    listed = set(re.findall(r"autograd\.(\w+)\(", _readme_row("fused ops")))
    functions = {op.function for op in TABLE if op.arity < 0}
    assert listed - {"dots"} == functions  # dots makes dot nodes, a row at a time
