"""Cases for every op: one per entry of the engine's op table (autograd/ops.py), read from
it, with its domain from the table and its torch twin from tests/torch_oracle.TWINS; then
hand-written cases for what the table does not list (number operands, pow's shortcuts,
-, a param given, a layer, a composite).

Each case names its function, the interval each argument is drawn from, and optionally a
separate torch spelling where the function does not run on tensors as it is.
tests/autograd/test_value.py runs every case against PyTorch float64 and against central
differences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import autograd
from autograd import ops
from tests.strategies import ValueBackend
from tests.torch_oracle import TWINS, twin

Interval = tuple[float, float]

WIDE: Interval = (-5.0, 5.0)
POSITIVE: Interval = (0.1, 5.0)
AWAY_FROM_ZERO: Interval = (0.2, 5.0)  # sign is drawn separately; see signed()


@dataclass(frozen=True)
class Case:
    name: str
    fn: Callable
    domains: tuple[Interval, ...]
    signed: bool = False  # draw |x| from the domain and a random sign: off a kink at 0
    torch_fn: Callable | None = None  # when the op has no same-named tensor spelling

    @property
    def arity(self) -> int:
        return len(self.domains)


def _dots(w00, w01, w10, w11, x0, x1, b0, b1):
    """A 2x2 layer, W x + b, its two outputs multiplied so that the case has one output."""
    y0, y1 = autograd.dots([[w00, w01], [w10, w11]], [x0, x1], [b0, b1])
    return y0 * y1


def _torch_dots(w00, w01, w10, w11, x0, x1, b0, b1):
    return (w00 * x0 + w01 * x1 + b0) * (w10 * x0 + w11 * x1 + b1)


def _torch_sum(*xs):
    return xs[0] + xs[1] + xs[2] + 2.5


FUSED_OPERANDS = {"dot": 5}  # w0 w1 x0 x1 b; the other many-input ops take 3


def _table_case(op: ops.Op) -> Case:
    """The case of one table op: its function on Values, its twin on tensors."""
    if op.arity < 0:
        n = FUSED_OPERANDS.get(op.name, 3)
        return Case(
            op.key,
            lambda *xs: ValueBackend.fused(op.name, xs),
            op.domain * n,
            torch_fn=lambda *xs: twin(op, *xs),
        )
    if op.key == "pow_scalar":  # the exponent is a number, not an operand
        return Case(op.key, lambda a: a**2.7, op.domain[:1], torch_fn=lambda a: twin(op, a, 2.7))
    if op.arity == 2:
        return Case(
            op.key,
            lambda a, b: ValueBackend.binary(op.name, a, b),
            op.domain,
            torch_fn=lambda a, b: twin(op, a, b),
        )
    return Case(
        op.key, lambda a: ValueBackend.unary(op.name, a), op.domain, torch_fn=lambda a: twin(op, a)
    )


TABLE_CASES = [_table_case(op) for op in ops.OPS.values()]

CASES = TABLE_CASES + [
    Case("add_number", lambda a: a + 2.5, (WIDE,)),
    Case("radd_number", lambda a: 2.5 + a, (WIDE,)),
    Case("sub", lambda a, b: a - b, (WIDE, WIDE)),
    Case("sub_number", lambda a: a - 1.5, (WIDE,)),
    Case("rsub_number", lambda a: 1.5 - a, (WIDE,)),
    Case("mul_number", lambda a: a * -3.0, (WIDE,)),
    Case("rmul_number", lambda a: -3.0 * a, (WIDE,)),
    Case("div_either_sign", lambda a, b: a / b, (WIDE, AWAY_FROM_ZERO), signed=True),
    Case("div_number", lambda a: a / 3.0, (WIDE,)),
    Case("rdiv_number", lambda a: 3.0 / a, (AWAY_FROM_ZERO,), signed=True),
    Case("neg", lambda a: -a, (WIDE,)),
    Case("pow_square", lambda a: a**2, (WIDE,)),
    Case("pow_cube", lambda a: a**3.0, (WIDE,)),
    Case("pow_half", lambda a: a**0.5, (POSITIVE,)),
    Case("pow_minus_one", lambda a: a**-1, (AWAY_FROM_ZERO,), signed=True),
    Case("pow_fraction", lambda a: a**2.7, (POSITIVE,)),
    Case("pow_negative_fraction", lambda a: a**-1.5, (POSITIVE,)),
    Case("pow_odd_integer_negative_base", lambda a: a**5, (AWAY_FROM_ZERO,), signed=True),
    Case("rpow_number", lambda a: 2.0**a, (WIDE,)),
    Case(
        "pow_value_integer_exponent",
        lambda a, b: a ** (b * 0.0 + 3.0),
        (AWAY_FROM_ZERO, WIDE),
        signed=True,
    ),
    Case("relu_off_the_kink", lambda a: a.relu(), (AWAY_FROM_ZERO,), signed=True),
    Case("abs_off_the_kink", lambda a: abs(a), (AWAY_FROM_ZERO,), signed=True),
    Case(
        "leaky_relu_slope",
        lambda a: a.leaky_relu(0.2),
        (AWAY_FROM_ZERO,),
        signed=True,
        torch_fn=lambda a: TWINS["leaky_relu"](a, 0.2),
    ),
    Case(
        "elu_alpha",
        lambda a: a.elu(alpha=1.7),
        (AWAY_FROM_ZERO,),
        signed=True,
        torch_fn=lambda a: TWINS["elu"](a, 1.7),
    ),
    Case("dots", _dots, (WIDE,) * 8, torch_fn=_torch_dots),
    Case(
        "sum_values_with_a_number",
        lambda a, b, c: autograd.sum_values([a, b, c, 2.5]),
        (WIDE,) * 3,
        torch_fn=_torch_sum,
    ),
    # a tie: the gradient goes to the first largest (smallest) operand, as torch.max(dim)
    Case(
        "max_values_tie",
        lambda a, b: autograd.max_values([b, a, 0.5, a]),
        (WIDE,) * 2,
        torch_fn=lambda a, b: TWINS["max"]([b, a, 0.5, a]),
    ),
    Case(
        "min_values_tie",
        lambda a, b: autograd.min_values([a, b, a]),
        (WIDE,) * 2,
        torch_fn=lambda a, b: TWINS["min"]([a, b, a]),
    ),
    # a composite: several ops in one expression, each input used more than once
    Case(
        "composite",
        lambda a, b: (a * b + a.sin()).tanh() * (b / (a * a + 1.0)).exp() - a.sigmoid() ** 2,
        ((-1.5, 1.5), (-1.5, 1.5)),
    ),
]
