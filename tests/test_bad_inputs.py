"""The bad-input table: every mistake a user can make at the API gets its exact exception type
and a message that names what was wrong. One named test per row. (Refused command-line input
has its own table, tests/refused.py.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import autograd
import nn
from autograd import Value


@dataclass(frozen=True)
class Row:
    """One bad input: what the user did, the exception, and a pattern its message must match."""

    name: str
    call: Callable[[], object]
    error: type
    message: str


def _chain(n: int) -> Value:
    out = Value(1.0)
    for _ in range(n - 1):
        out = out + 1.0
    return out


V = Value(1.0)
MODEL = nn.MLP(2, [3, 1], seed=0)

ENGINE_ROWS = [
    Row("Value of a str", lambda: Value("x"), TypeError, r"real number.*got str 'x'"),
    Row("Value of None", lambda: Value(None), TypeError, r"got NoneType None"),
    Row("Value of a complex", lambda: Value(1j), TypeError, r"got complex 1j"),
    Row("Value of a list", lambda: Value([1]), TypeError, r"got list \[1\]"),
    Row("Value of a tuple", lambda: Value((1, 2)), TypeError, r"got tuple \(1, 2\)"),
    Row("Value of a dict", lambda: Value({"a": 1}), TypeError, r"got dict \{'a': 1\}"),
    Row("Value of bytes", lambda: Value(b"1"), TypeError, r"got bytes b'1'"),
    Row(
        "Value of another Value",
        lambda: Value(Value(2.0)),
        TypeError,
        r"got Value Value\(data=2\.0.*use v\.data",
    ),
    Row("Value of an arbitrary object", lambda: Value(object()), TypeError, r"got object <object"),
    Row("Value of a NumPy array", lambda: Value(np.array([1.0])), TypeError, r"got ndarray"),
    Row(
        "Value with a non-str label",
        lambda: Value(1.0, label=3),
        TypeError,
        r"label must be a str, got int",
    ),
    Row("Value + str", lambda: V + "x", TypeError, r"for \+: 'Value' and 'str'"),
    Row("str + Value", lambda: "x" + V, TypeError, r'not "Value"\) to str'),
    Row("Value * None", lambda: V * None, TypeError, r"for \*: 'Value' and 'NoneType'"),
    Row("None - Value", lambda: None - V, TypeError, r"for -: 'NoneType' and 'Value'"),
    Row("Value / list", lambda: V / [1], TypeError, r"for /: 'Value' and 'list'"),
    Row("Value ** dict", lambda: V ** {}, TypeError, r"for \*\* or pow\(\): 'Value' and 'dict'"),
    Row("complex * Value", lambda: 1j * V, TypeError, r"for \*: 'complex' and 'Value'"),
    Row("Value - bytes", lambda: V - b"x", TypeError, r"for -: 'Value' and 'bytes'"),
    Row("Value + object", lambda: V + object(), TypeError, r"for \+: 'Value' and 'object'"),
    Row("Value + a list of Values", lambda: V + [V], TypeError, r"for \+: 'Value' and 'list'"),
    Row("pow with a modulus", lambda: pow(V, 2, 5), TypeError, r"pow\(\): 'Value', 'int', 'int'"),
    Row("Value // number", lambda: V // 2, TypeError, r"for //: 'Value' and 'int'"),
    Row("backward with a str gradient", lambda: (V * 2).backward("1"), TypeError, r"got str '1'"),
    Row(
        "grad of a float instead of a Value",
        lambda: autograd.grad(3.0, [V]),
        TypeError,
        r"Value.*got float",
    ),
    Row(
        "numeric_grad with eps 0",
        lambda: autograd.numeric_grad(lambda x: x, [1.0], eps=0),
        ValueError,
        r"eps must be a positive finite number, got 0",
    ),
    Row(
        "numeric_grad with a negative eps",
        lambda: autograd.numeric_grad(lambda x: x, [1.0], eps=-1e-6),
        ValueError,
        r"eps must be a positive finite number, got -1e-06",
    ),
    Row(
        "gradcheck with a negative rtol",
        lambda: autograd.gradcheck(lambda x: x, [1.0], rtol=-1),
        ValueError,
        r"rtol must be a non-negative finite number, got -1",
    ),
    Row(
        "gradcheck of f returning a list",
        lambda: autograd.gradcheck(lambda x: [x], [1.0]),
        TypeError,
        r"f must return a Value or a real number, got list",
    ),
    Row(
        "gradcheck at a str",
        lambda: autograd.gradcheck(lambda x: x, ["a"]),
        TypeError,
        r"got str 'a'",
    ),
    Row(
        "dot of unequal lengths",
        lambda: autograd.dot([V, V], [V], 0.0),
        ValueError,
        r"equal lengths, got 2 weights and 1 inputs",
    ),
    Row(
        "draw_dot of a float",
        lambda: autograd.draw_dot(3.0),
        TypeError,
        r"draw_dot\(\) expects a Value, got float",
    ),
    Row(
        "draw_dot of a graph over max_nodes",
        lambda: autograd.draw_dot(_chain(11), max_nodes=5),
        ValueError,
        r"11 value nodes, more than max_nodes=5",
    ),
    Row(
        "draw_dot with an unknown rankdir",
        lambda: autograd.draw_dot(V, rankdir="XY"),
        ValueError,
        r"rankdir must be one of .*got 'XY'",
    ),
]

PARAMS = MODEL.parameters()
NN_ROWS = [
    Row(
        "MLP with nin 0",
        lambda: nn.MLP(0, [3, 1]),
        ValueError,
        r"nin must be a positive int, got 0",
    ),
    Row(
        "MLP with a negative nin",
        lambda: nn.MLP(-2, [3, 1]),
        ValueError,
        r"nin must be a positive int, got -2",
    ),
    Row(
        "MLP with a layer of size 0",
        lambda: nn.MLP(2, [0, 1]),
        ValueError,
        r"nouts\[0\] must be a positive int, got 0",
    ),
    Row(
        "MLP with a negative layer size",
        lambda: nn.MLP(2, [4, -3]),
        ValueError,
        r"nouts\[1\] must be a positive int, got -3",
    ),
    Row("MLP with no layers", lambda: nn.MLP(2, []), ValueError, r"nouts must be a non-empty list"),
    Row(
        "MLP with an unknown activation",
        lambda: nn.MLP(2, [3, 1], activation="gelu"),
        ValueError,
        r"unknown activation 'gelu'; valid activations are 'relu', 'tanh', 'sigmoid', 'linear'",
    ),
    Row(
        "MLP called with the wrong number of inputs",
        lambda: MODEL([1.0, 2.0, 3.0]),
        ValueError,
        r"expects 2 inputs, got 3",
    ),
    Row(
        "mse with mismatched lengths",
        lambda: nn.losses.mse([V, V], [1.0]),
        ValueError,
        r"mse\(\) got 2 predictions but 1 targets",
    ),
    Row(
        "sse with mismatched lengths",
        lambda: nn.losses.sse([V], [1.0, 2.0]),
        ValueError,
        r"sse\(\) got 1 predictions but 2 targets",
    ),
    Row(
        "hinge with mismatched lengths",
        lambda: nn.losses.hinge([V], [1, -1]),
        ValueError,
        r"hinge\(\) got 1 predictions but 2 targets",
    ),
    Row(
        "hinge with a 0/1 target",
        lambda: nn.losses.hinge([V], [0]),
        ValueError,
        r"targets -1 or \+1, got 0",
    ),
    Row(
        "bce_with_logits with mismatched lengths",
        lambda: nn.losses.bce_with_logits([V, V, V], [1.0]),
        ValueError,
        r"bce_with_logits\(\) got 3 predictions but 1 targets",
    ),
    Row(
        "binary_cross_entropy with mismatched lengths",
        lambda: nn.losses.binary_cross_entropy([V], [1.0, 0.0]),
        ValueError,
        r"binary_cross_entropy\(\) got 1 predictions but 2 targets",
    ),
    Row(
        "cross_entropy with a class index past the end",
        lambda: nn.losses.cross_entropy([V, V], 2),
        ValueError,
        r"class index 2 is out of range for 2 logits \(valid: 0\.\.1\)",
    ),
    Row(
        "cross_entropy with a negative class index",
        lambda: nn.losses.cross_entropy([V, V], -1),
        ValueError,
        r"class index -1 is out of range for 2 logits",
    ),
    Row(
        "SGD with an empty parameter list",
        lambda: nn.optim.SGD([], lr=0.1),
        ValueError,
        r"empty parameter list; pass model\.parameters\(\)",
    ),
    Row(
        "Adam with an empty parameter list",
        lambda: nn.optim.Adam([]),
        ValueError,
        r"empty parameter list",
    ),
    Row(
        "SGD with a negative lr",
        lambda: nn.optim.SGD(PARAMS, lr=-0.1),
        ValueError,
        r"learning rate: -0\.1 \(must be >= 0\)",
    ),
    Row(
        "Adam with a negative lr",
        lambda: nn.optim.Adam(PARAMS, lr=-1e-3),
        ValueError,
        r"learning rate: -0\.001",
    ),
    Row(
        "Adam with beta1 = 1",
        lambda: nn.optim.Adam(PARAMS, betas=(1.0, 0.999)),
        ValueError,
        r"beta parameter at index 0: 1\.0 \(must be in \[0, 1\)\)",
    ),
    Row(
        "Adam with beta1 > 1",
        lambda: nn.optim.Adam(PARAMS, betas=(1.5, 0.999)),
        ValueError,
        r"beta parameter at index 0: 1\.5",
    ),
    Row(
        "Adam with a negative beta2",
        lambda: nn.optim.Adam(PARAMS, betas=(0.9, -0.1)),
        ValueError,
        r"beta parameter at index 1: -0\.1",
    ),
    Row(
        "Adam with one beta",
        lambda: nn.optim.Adam(PARAMS, betas=(0.9,)),
        ValueError,
        r"betas must be a pair \(beta1, beta2\)",
    ),
    Row(
        "SGD with a string lr",
        lambda: nn.optim.SGD(PARAMS, lr="0.1"),
        TypeError,
        r"learning rate must be a real number, got str '0\.1'",
    ),
    Row(
        "Adam given the model instead of its parameters",
        lambda: nn.optim.Adam(MODEL),
        TypeError,
        r"got MLP; pass model\.parameters\(\)",
    ),
]


@pytest.mark.parametrize("row", ENGINE_ROWS + NN_ROWS, ids=lambda row: row.name)
def test_bad_input_raises_its_exact_error_naming_what_was_wrong(row: Row) -> None:
    with pytest.raises(row.error, match=row.message) as caught:
        row.call()
    assert type(caught.value) is row.error, f"{type(caught.value).__name__}: {caught.value}"


# --- loading a model file: the exception, and the weights left as they were ----------


def _saved(path: Path, shape: list) -> bytes:
    nn.MLP(2, shape, seed=1).save(path)
    return path.read_bytes()


def _with_weight(path: Path, weight: float) -> bytes:
    doc = json.loads(_saved(path, [3, 1]))
    doc["state"]["layers"][0]["w"][0][0] = weight
    return json.dumps(doc).encode()  # NaN and Infinity, as Python's json writes them


LOAD_ROWS = [  # name, the file's bytes given a scratch path (None: no file), error, message
    ("load of a missing file", None, FileNotFoundError, r"missing\.json"),
    ("load of an empty file", lambda p: b"", ValueError, r"the file is empty"),
    (
        "load of a truncated file",
        lambda p: _saved(p, [3, 1])[:120],
        ValueError,
        r"not valid JSON.*truncated",
    ),
    ("load of a non-JSON file", lambda p: b"hello, world\n", ValueError, r"not valid JSON"),
    ("load of a binary file", lambda p: b"\x89PNG\r\n\x1a\n\x00", ValueError, r"not UTF-8 text"),
    (
        "load of JSON that is not a model",
        lambda p: b"[1, 2, 3]",
        ValueError,
        r"not a chainrule model file",
    ),
    (
        "load of a model of another shape",
        lambda p: _saved(p, [4, 1]),
        ValueError,
        r"expects 3x2 weights .*found 4x2",
    ),
    (
        "load of a file with a NaN weight",
        lambda p: _with_weight(p, float("nan")),
        ValueError,
        r"nan: weights must be finite",
    ),
    (
        "load of a file with an infinite weight",
        lambda p: _with_weight(p, float("inf")),
        ValueError,
        r"inf: weights must be finite",
    ),
]


@pytest.mark.parametrize("name, contents, error, message", LOAD_ROWS, ids=[r[0] for r in LOAD_ROWS])
def test_bad_model_file_raises_and_leaves_the_weights_untouched(
    tmp_path: Path, name: str, contents: Callable, error: type, message: str
) -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    before = [p.data for p in model.parameters()]
    path = tmp_path / ("missing.json" if contents is None else "model.json")
    if contents is not None:
        path.write_bytes(contents(tmp_path / "scratch.json"))
    with pytest.raises(error, match=message) as caught:
        model.load(path)
    assert type(caught.value) is error, f"{type(caught.value).__name__}: {caught.value}"
    assert [p.data for p in model.parameters()] == before, "a failed load changed the weights"
