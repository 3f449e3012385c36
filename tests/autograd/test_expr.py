"""The expression language of `chainrule graph`, in process: what it builds, and every kind
of text it refuses, with the column it reports. (Exit codes: tests/test_cli.py.)"""

from __future__ import annotations

import math

import pytest

import autograd
from autograd import Value
from autograd.expr import MAX_LENGTH, ExprError, build, parse, parse_assignments
from autograd.ops import OPS

AT = {"x": 1.0, "w": -3.0, "b": 2.0}


def test_neuron_expression_builds_the_graph_and_its_gradients():
    out, leaves = build("tanh(x*w + b)", AT)
    out.backward()
    t = math.tanh(1.0 * -3.0 + 2.0)
    assert out.data == pytest.approx(t)
    assert leaves["x"].grad == pytest.approx(-3.0 * (1 - t * t))
    assert leaves["w"].grad == pytest.approx(1.0 * (1 - t * t))
    assert leaves["b"].grad == pytest.approx(1 - t * t)
    assert {v.label for v in leaves.values()} == {"x", "w", "b"}, "variables are labelled"


def test_a_variable_used_twice_is_one_node():
    out, leaves = build("x*x", {"x": 3.0})
    assert out.parents == (leaves["x"], leaves["x"])
    out.backward()
    assert leaves["x"].grad == 6.0


def test_every_operator_and_function_is_accepted():
    source = ("exp(x) + log(x) - sqrt(x) * tanh(x) / sigmoid(x) ** relu(x) "
              "+ sin(x) + cos(x) + abs(-x) + +x + 2 ** x")
    out, leaves = build(source, {"x": 0.5})
    x = 0.5
    sig = 1 / (1 + math.exp(-x))
    expected = (math.exp(x) + math.log(x) - math.sqrt(x) * math.tanh(x) / sig ** x
                + math.sin(x) + math.cos(x) + x + x + 2 ** x)
    assert out.data == pytest.approx(expected)


@pytest.mark.parametrize("op", [op for op in OPS.values() if op.cli], ids=lambda op: op.cli)
def test_every_function_of_the_op_table_builds_its_op(op):
    """Each function the table gives a command-line name: called on variables it builds
    one node of its op, with the value Value's own method or function computes."""
    x, y = Value(0.5), Value(-1.25)
    if op.arity < 0:
        out, leaves = build(f"{op.cli}(x, y, 2)", {"x": 0.5, "y": -1.25})
        expected = getattr(autograd, op.function)([x, y, 2.0])
    else:
        out, leaves = build(f"{op.cli}(x)", {"x": 0.5})
        expected = getattr(x, op.method)()
    assert out.op == op.name and out.data == expected.data


def test_numbers_are_operands_not_nodes_and_fold_together():
    out, leaves = build("2*3*x", {"x": 1.5})
    assert out.parents == (leaves["x"],) and out._saved == 6.0


def test_number_only_parts_follow_ieee_instead_of_raising():
    out, _ = build("1/0 + x + 2**10000 + 10**400 + exp(1000)", {"x": 1.0})
    assert out.data == math.inf
    out, _ = build("log(-1) * x", {"x": 1.0})
    assert math.isnan(out.data)


def test_an_expression_without_variables_is_a_single_constant_node():
    out, _ = build("3 * 4", {})
    assert out.data == 12.0 and out.parents == ()


def test_long_chains_build_without_recursion():
    n = 2000  # Python's own parser stops near 3000 (a clear error, tested below)
    out, leaves = build("x" + "+x" * n, {"x": 1.0})
    out.backward()
    assert out.data == n + 1 and leaves["x"].grad == n + 1


REFUSED = [  # (expression, column, words the message must contain)
    ("x.y", 1, "attribute access 'x.y'"),
    ("x + w.__class__", 5, "attribute access 'w.__class__'"),
    ("x[0]", 1, "subscript 'x[0]'"),
    ("foo(x)", 1, "call to 'foo'"),
    ("__import__('os').system('ls')", 1, "call to \"__import__('os').system\""),
    ("exp(x)(w)", 1, "call to 'exp(x)'"),
    ("exp(x, w)", 1, "exp() takes exactly one argument, got 2"),
    ("exp()", 1, "exp() takes exactly one argument, got 0"),
    ("exp(x=1)", 5, "keyword argument 'x=1'"),
    ("exp(*x)", 5, "starred argument '*x'"),
    ("lambda: 1", 1, "lambda"),
    ("[i for i in x]", 1, "comprehension"),
    ("(i for i in x)", 1, "generator expression"),
    ("'abc'", 1, "string \"'abc'\""),
    ("x + b'abc'", 5, "string"),
    ("f'{x}'", 1, "f-string"),
    ("x < w", 1, "comparison 'x < w'"),
    ("x and w", 1, "boolean operator"),
    ("not x", 1, "operator 'not'"),
    ("~x", 1, "operator '~'"),
    ("x % w", 1, "operator '%'"),
    ("x // w", 1, "operator '//'"),
    ("x @ w", 1, "operator '@'"),
    ("(y := 2)", 2, "assignment expression"),
    ("x if w else b", 1, "conditional expression"),
    ("(x, w)", 1, "tuple"),
    ("[x]", 1, "list"),
    ("{x: 1}", 1, "dict"),
    ("True * x", 1, "boolean 'True'"),
    ("None", 1, "constant 'None'"),
    ("1j * x", 1, "complex number '1j'"),
    ("z * x", 1, "unknown variable 'z'; give it a value with --at z=NUMBER"),
    ("x + exp", 5, "function 'exp' must be called"),
    ("import os", 1, "invalid syntax"),
    ("x = 1", 3, "invalid syntax"),
    ("tanh(x", 5, "never closed"),
    ("x +", 4, "ends too early"),
    ("", 1, "the expression is empty"),
    ("   x.y", 4, "attribute access 'x.y'"),
    ("é + ñ.y", 5, "attribute access 'ñ.y'"),
    ("(x +\n w.y)", 7, "attribute access 'w.y'"),
    ("x\0", 2, "null bytes"),
    ("-" * 5000 + "x", 1, "nested too deeply"),
    ("x" + "+x" * 4000, 1, "(or too long) for Python's parser"),
    ("(" * 300 + "x" + ")" * 300, 201, "too many nested parentheses"),
    ("x" * (MAX_LENGTH + 1), 1, f"the limit is {MAX_LENGTH}"),
]


@pytest.mark.parametrize("source, column, words", REFUSED, ids=[r[0][:20] for r in REFUSED])
def test_refused_text_is_named_with_its_column(source, column, words):
    variables = dict(AT, **{"é": 1.0})
    with pytest.raises(ExprError) as err:
        build(source, variables)
    message = str(err.value)
    assert message.startswith(f"column {column}: "), message
    assert words in message, message
    assert "\n" not in message, "one line"


def test_parse_without_variables_checks_only_the_shape():
    assert parse("tanh(z * q)").body is not None
    with pytest.raises(ExprError, match="attribute access"):
        parse("z.q")


def test_assignments_parse_numbers_including_ieee_spellings():
    assert parse_assignments("x=1,w=-3, b = 2.5e0") == {"x": 1.0, "w": -3.0, "b": 2.5}
    values = parse_assignments("p=inf,q=1e400")
    assert values == {"p": math.inf, "q": math.inf}
    assert math.isnan(parse_assignments("n=nan")["n"])


def test_assignments_accumulate_across_flags_and_refuse_a_repeat():
    values = parse_assignments("x=1")
    parse_assignments("w=2", into=values)
    assert values == {"x": 1.0, "w": 2.0}
    with pytest.raises(ExprError, match="--at column 1: variable 'x' is given twice"):
        parse_assignments("x=5", into=values)


@pytest.mark.parametrize("text, column, words", [
    ("x", 1, "'x' is not NAME=NUMBER"),
    ("x=1,,w=2", 5, "'' is not NAME=NUMBER"),
    ("x=1,", 5, "'' is not NAME=NUMBER"),
    ("=3", 1, "is not NAME=NUMBER"),
    ("x=", 1, "is not NAME=NUMBER"),
    ("x=1,w=abc", 7, "'abc' is not a number"),
    ("x=0x10", 3, "is not a number"),
    ("x=1,x=2", 5, "variable 'x' is given twice"),
    ("1x=2", 1, "'1x' is not a variable name"),
    ("if=2", 1, "'if' is not a variable name"),
    ("x.y=2", 1, "is not a variable name"),
    ("exp=2", 1, "'exp' is a function, not a variable name"),
])
def test_malformed_assignments_are_named_with_their_column(text, column, words):
    with pytest.raises(ExprError) as err:
        parse_assignments(text)
    message = str(err.value)
    assert message.startswith(f"--at column {column}: "), message
    assert words in message, message
