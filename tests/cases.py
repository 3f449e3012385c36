"""The op table, written once: every op README lists, as a function that runs on Value and on
torch.Tensor.

Each case names its function, the interval each argument is drawn from (kept off kinks
and poles), and optionally a separate torch spelling where chainrule has no tensor twin
(the fused ops). tests/autograd/test_value.py runs every case against PyTorch float64
and against central differences.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Tuple

import autograd

Interval = Tuple[float, float]

WIDE: Interval = (-5.0, 5.0)
POSITIVE: Interval = (0.1, 5.0)
AWAY_FROM_ZERO: Interval = (0.2, 5.0)  # sign is drawn separately; see signed()


@dataclass(frozen=True)
class Case:
    name: str
    fn: Callable
    domains: Tuple[Interval, ...]
    signed: bool = False  # draw |x| from the domain and a random sign: off a kink at 0
    torch_fn: Optional[Callable] = None  # when the op has no same-named tensor spelling

    @property
    def arity(self) -> int:
        return len(self.domains)


def _torch_dot(*xs):
    w, x, b = xs[:2], xs[2:4], xs[4]
    return w[0] * x[0] + w[1] * x[1] + b


def _dots(w00, w01, w10, w11, x0, x1, b0, b1):
    """A 2x2 layer, W x + b, its two outputs multiplied so that the case has one output."""
    y0, y1 = autograd.dots([[w00, w01], [w10, w11]], [x0, x1], [b0, b1])
    return y0 * y1


def _torch_dots(w00, w01, w10, w11, x0, x1, b0, b1):
    return (w00 * x0 + w01 * x1 + b0) * (w10 * x0 + w11 * x1 + b1)


def _torch_sum(*xs):
    return xs[0] + xs[1] + xs[2] + 2.5


CASES = [
    Case("add", lambda a, b: a + b, (WIDE, WIDE)),
    Case("add_number", lambda a: a + 2.5, (WIDE,)),
    Case("radd_number", lambda a: 2.5 + a, (WIDE,)),
    Case("sub", lambda a, b: a - b, (WIDE, WIDE)),
    Case("sub_number", lambda a: a - 1.5, (WIDE,)),
    Case("rsub_number", lambda a: 1.5 - a, (WIDE,)),
    Case("mul", lambda a, b: a * b, (WIDE, WIDE)),
    Case("mul_number", lambda a: a * -3.0, (WIDE,)),
    Case("rmul_number", lambda a: -3.0 * a, (WIDE,)),
    Case("div", lambda a, b: a / b, (WIDE, AWAY_FROM_ZERO), signed=True),
    Case("div_number", lambda a: a / 3.0, (WIDE,)),
    Case("rdiv_number", lambda a: 3.0 / a, (AWAY_FROM_ZERO,), signed=True),
    Case("neg", lambda a: -a, (WIDE,)),
    Case("pow", lambda a, b: a ** b, (POSITIVE, WIDE)),
    Case("pow_square", lambda a: a ** 2, (WIDE,)),
    Case("pow_cube", lambda a: a ** 3.0, (WIDE,)),
    Case("pow_half", lambda a: a ** 0.5, (POSITIVE,)),
    Case("pow_minus_one", lambda a: a ** -1, (AWAY_FROM_ZERO,), signed=True),
    Case("pow_fraction", lambda a: a ** 2.7, (POSITIVE,)),
    Case("pow_negative_fraction", lambda a: a ** -1.5, (POSITIVE,)),
    Case("pow_odd_integer_negative_base", lambda a: a ** 5, (AWAY_FROM_ZERO,), signed=True),
    Case("rpow_number", lambda a: 2.0 ** a, (WIDE,)),
    Case("pow_value_integer_exponent", lambda a, b: a ** (b * 0.0 + 3.0), (AWAY_FROM_ZERO, WIDE), signed=True),
    Case("exp", lambda a: a.exp(), (WIDE,)),
    Case("log", lambda a: a.log(), (POSITIVE,)),
    Case("sqrt", lambda a: a.sqrt(), (POSITIVE,)),
    # torch's tanh and math.tanh differ in the last bit; near |tanh| = 1 that bit is a large
    # relative part of 1 - tanh^2, so tanh's inputs stay where the gradient is well conditioned
    Case("tanh", lambda a: a.tanh(), ((-3.0, 3.0),)),
    Case("sigmoid", lambda a: a.sigmoid(), ((-30.0, 30.0),)),
    Case("relu", lambda a: a.relu(), (AWAY_FROM_ZERO,), signed=True),
    Case("sin", lambda a: a.sin(), (WIDE,)),
    Case("cos", lambda a: a.cos(), (WIDE,)),
    Case("abs", lambda a: abs(a), (AWAY_FROM_ZERO,), signed=True),
    Case(
        "dot",
        lambda w0, w1, x0, x1, b: autograd.dot([w0, w1], [x0, x1], b),
        (WIDE,) * 5,
        torch_fn=_torch_dot,
    ),
    Case("dots", _dots, (WIDE,) * 8, torch_fn=_torch_dots),
    Case(
        "sum_values",
        lambda a, b, c: autograd.sum_values([a, b, c, 2.5]),
        (WIDE,) * 3,
        torch_fn=_torch_sum,
    ),
    # a composite: several ops in one expression, each input used more than once
    Case(
        "composite",
        lambda a, b: (a * b + a.sin()).tanh() * (b / (a * a + 1.0)).exp() - a.sigmoid() ** 2,
        ((-1.5, 1.5), (-1.5, 1.5)),
    ),
]

