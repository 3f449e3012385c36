"""At the REPL a Value reads as its number, as a 0-d tensor does: format, round and
< <= > >= use its data and record nothing; == stays identity (dict keys, sets); repr names
the op. Each check runs against what Python does with the bare float."""

from __future__ import annotations

import math
import operator
from fractions import Fraction

import numpy as np
import pytest

from autograd import Value

INF, NAN = math.inf, math.nan
ORDER = [operator.lt, operator.le, operator.gt, operator.ge]
NAMES = {operator.lt: "<", operator.le: "<=", operator.gt: ">", operator.ge: ">="}


def _tanh_of_product() -> Value:
    return (Value(1.23456) * 2).tanh()


# --- format ---------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", [".4f", "e", ".3e", ">10", "<12.2f", "+.1%", "", "g", "_.2f"])
@pytest.mark.parametrize("x", [0.7071067811865476, -1234567.891, 0.0, -0.0, INF, -INF, NAN, 3.0])
def test_format_is_the_floats_format(spec: str, x: float) -> None:
    v = Value(x)
    assert format(v, spec) == format(x, spec)
    assert f"{v:{spec}}" == format(x, spec)
    assert "{:{}}".format(v, spec) == format(x, spec)


def test_the_issues_f_string_works_and_records_nothing() -> None:
    loss = _tanh_of_product()
    assert f"loss {loss:.4f}" == "loss 0.9858"  # tanh(2.46912) = 0.985843...
    assert f"{loss:>10.3f}" == "     0.986"
    assert f"{loss:e}" == f"{loss.data:e}"
    assert loss.parents and loss.parents[0].op == "*"  # its graph is untouched
    assert loss.grad == 0.0


def test_a_format_spec_float_refuses_is_refused_the_same_way() -> None:
    for spec in ("d", "x", "s"):
        with pytest.raises(ValueError):
            format(1.5, spec)
        with pytest.raises(ValueError):
            format(Value(1.5), spec)


# --- round ----------------------------------------------------------------------------------


@pytest.mark.parametrize("x", [2.5, 3.5, -2.5, 0.125, 1.23456, -0.0, 1e300, 123456.789])
def test_round_without_digits_is_an_int_as_for_a_float(x: float) -> None:
    r = round(Value(x))
    assert type(r) is int and r == round(x)


@pytest.mark.parametrize("digits", [0, 1, 2, 3, -1, -2, 400])
@pytest.mark.parametrize("x", [2.675, 0.125, -1.23456, 123456.789, INF, NAN, -0.0])
def test_round_with_digits_is_a_float_as_for_a_float(x: float, digits: int) -> None:
    r = round(Value(x), digits)
    expected = round(x, digits)
    assert type(r) is float
    assert r == expected or (math.isnan(r) and math.isnan(expected))
    assert math.copysign(1.0, r) == math.copysign(1.0, expected)


def test_the_issues_round_works() -> None:
    assert round(_tanh_of_product(), 3) == 0.986
    assert round(_tanh_of_product()) == 1


def test_round_of_inf_and_nan_without_digits_fails_as_for_a_float() -> None:
    with pytest.raises(OverflowError):
        round(Value(INF))
    with pytest.raises(ValueError):
        round(Value(NAN))


# --- < <= > >= ------------------------------------------------------------------------------

# pairs of floats, each compared both ways round; inf and nan compare as floats do
PAIRS = [
    (1.0, 2.0),
    (2.0, 1.0),
    (2.0, 2.0),
    (-3.0, 0.5),
    (0.0, -0.0),
    (-1.5, -1.5),
    (INF, 1e308),
    (-INF, -1e308),
    (INF, INF),
    (-INF, INF),
    (NAN, 1.0),
    (1.0, NAN),
    (NAN, NAN),
    (NAN, INF),
    (0.25, 0.5),
]


def _small_int(x: float) -> bool:
    return math.isfinite(x) and x == int(x) and abs(x) < 100


# how the plain number on the other side is given; None where that type cannot hold x exactly
KINDS = {
    "float": float,
    "int": lambda x: int(x) if math.isfinite(x) and x == int(x) else None,
    "Fraction": lambda x: Fraction(x) if math.isfinite(x) else None,
    "np.float64": np.float64,
    "np.float32": lambda x: (
        np.float32(x)
        if not math.isfinite(x) or (abs(x) < 1e38 and float(np.float32(x)) == x)
        else None
    ),
    "np.int64": lambda x: np.int64(x) if _small_int(x) else None,
    "np.int8": lambda x: np.int8(x) if _small_int(x) else None,
    "bool": lambda x: bool(x) if x in (0.0, 1.0) else None,
}


@pytest.mark.parametrize("op", ORDER, ids=NAMES.get)
@pytest.mark.parametrize("a, b", PAIRS)
def test_value_against_value_compares_the_data(op, a: float, b: float) -> None:
    result = op(Value(a), Value(b))
    assert type(result) is bool and result == op(a, b)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("op", ORDER, ids=NAMES.get)
@pytest.mark.parametrize("a, b", PAIRS)
def test_value_against_a_number_on_either_side(op, a: float, b: float, kind: str) -> None:
    make = KINDS[kind]
    other_b, other_a = make(b), make(a)
    if other_b is not None:  # Value on the left
        result = op(Value(a), other_b)
        assert type(result) is bool and result == op(a, b), (a, b)
    if other_a is not None:  # Value on the right: Python tries the reflected operator
        result = op(other_a, Value(b))
        assert type(result) is bool and result == op(a, b), (a, b)


def test_the_issues_comparison_works() -> None:
    loss = _tanh_of_product()
    assert not loss < 0.01 and loss > 0.9 and 0.98 <= loss <= 0.99
    assert 0 < loss < 1  # a chained comparison with ints


def test_sorted_min_and_max_compare_data_and_return_the_values_themselves() -> None:
    vs = [Value(3.0, label="c"), Value(-1.0, label="a"), Value(2.0, label="b")]
    assert [v.label for v in sorted(vs)] == ["a", "b", "c"]
    assert max(vs) is vs[0] and min(vs) is vs[1]
    assert max(vs, default=None) is vs[0]


@pytest.mark.parametrize("op", ORDER, ids=NAMES.get)
@pytest.mark.parametrize("other", ["1.0", "x", None, [1.0], 1j, b"1"])
def test_comparison_with_a_non_number_is_pythons_type_error(op, other: object) -> None:
    v = Value(1.0)
    with pytest.raises(TypeError, match="not supported between instances of"):
        op(v, other)
    with pytest.raises(TypeError, match="not supported between instances of"):
        op(other, v)
    assert getattr(v, f"__{op.__name__}__")(other) is NotImplemented


# --- == stays identity: Values remain dict keys and set members -----------------------------


def test_equal_data_is_not_equality_and_keys_stay_distinct_after_comparisons() -> None:
    a, b = Value(2.0, label="a"), Value(2.0, label="b")
    assert a <= b and a >= b and not a < b  # ordered as equal numbers...
    assert operator.ne(a, b) and not operator.eq(a, b) and operator.eq(a, a)  # ...but == is
    assert operator.ne(Value(2.0), 2.0) and not operator.eq(Value(2.0), 2.0)  # identity
    grads = {a: 1.0, b: 2.0}
    assert len(grads) == 2 and grads[a] == 1.0 and grads[b] == 2.0
    seen = {a, b, a, b}
    assert len(seen) == 2 and a in seen and Value(2.0) not in seen
    assert [a, b].index(b) == 1  # list lookups use == too
    assert hash(a) != hash(b) or a is b  # object hashing


def test_a_set_of_graph_nodes_keeps_the_shared_one_once() -> None:
    x = Value(3.0)
    y = x * x + x
    nodes = {y, *y.parents, *y.parents[0].parents}
    assert len(nodes) == 3 and x in nodes
    assert [v.data for v in sorted(nodes)] == [3.0, 9.0, 12.0] and min(nodes) is x


# --- repr -----------------------------------------------------------------------------------


def test_repr_names_the_op_of_an_op_result_and_not_of_a_leaf() -> None:
    assert repr(Value(0.5)) == "Value(data=0.5, grad=0.0)"
    x = Value(2.0, label="x")
    assert repr(x) == "Value(data=2.0, grad=0.0, label='x')"
    y = x.tanh()
    assert repr(y) == f"Value(data={math.tanh(2.0)!r}, grad=0.0, op='tanh')"
    y.label = "y"
    y.backward()
    assert repr(y) == f"Value(data={math.tanh(2.0)!r}, grad=1.0, label='y', op='tanh')"
    assert repr(x * 2).endswith("op='*')") and repr(x + x).endswith("op='+')")
    assert repr(x**0.5).endswith("op='**')") and repr(1 / x).endswith("op='/')")


def test_issue_example_repr() -> None:
    y = Value(0.5).sqrt().tanh()
    assert repr(y) == f"Value(data={y.data!r}, grad=0.0, op='tanh')"
    assert f"{y:.4f}" == "0.6089"


def test_comparison_with_ints_and_fractions_is_exact_as_for_a_float() -> None:
    assert (2.0**53 < 2**53 + 1) and (0.1 > Fraction(1, 10))  # Python's float: exact
    assert Value(2.0**53) < 2**53 + 1
    assert Value(0.1) > Fraction(1, 10)
