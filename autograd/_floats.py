"""IEEE-754 scalar math that never raises: inf and nan where Python's math module would.

Python raises ZeroDivisionError, OverflowError or "math domain error" where C (and so
PyTorch) returns inf or nan. These wrappers return what C99 Annex F and PyTorch's CPU
kernels return, so chainrule agrees with PyTorch at poles, overflow and outside domains.
The fast path is the plain math call; the `except` branches run only at the edges.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import repeat

INF = math.inf
NAN = math.nan


def _is_odd_integer(y: float) -> bool:
    return math.isfinite(y) and y == math.floor(y) and math.fmod(y, 2.0) != 0.0


def div(a: float, b: float) -> float:
    """a / b; division by zero gives +-inf, or nan for 0/0 and nan/0."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def exp(x: float) -> float:
    """e**x; overflow gives inf."""
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def log(x: float) -> float:
    """Natural log; log(+-0) = -inf, log(x < 0) = nan."""
    try:
        return math.log(x)
    except ValueError:
        return -INF if x == 0.0 else NAN


def sqrt(x: float) -> float:
    """Square root; sqrt(x < 0) = nan, sqrt(-0.0) = -0.0."""
    try:
        return math.sqrt(x)
    except ValueError:
        return NAN


def sin(x: float) -> float:
    """sin(x); sin(+-inf) = nan."""
    try:
        return math.sin(x)
    except ValueError:
        return NAN


def cos(x: float) -> float:
    """cos(x); cos(+-inf) = nan."""
    try:
        return math.cos(x)
    except ValueError:
        return NAN


tanh = math.tanh  # never raises; stable at both tails (unlike a formula over exp(2x))


def sigmoid(x: float) -> float:
    """1 / (1 + e**-x), PyTorch's formula, bit for bit.

    Stable at both tails without a split by sign: for x << 0, e**-x overflows to inf
    (exp() here returns inf instead of raising) and 1 / inf is exactly 0.0; for x >> 0,
    e**-x underflows to 0 and the result is 1.0. A split form, e**x / (1 + e**x) for
    x < 0, is as stable but differs from PyTorch in the last bit for about 1 x in 5.
    """
    return 1.0 / (1.0 + exp(-x))


def relu(x: float) -> float:
    """max(x, 0) as PyTorch's clamp_min: nan stays nan."""
    return 0.0 if x < 0.0 else x


def sign(x: float) -> float:
    """-1, 0 or 1 as PyTorch's sign: 0 for +-0 and for nan."""
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0


def pow(x: float, y: float) -> float:
    """C99 pow: poles give +-inf, a negative base with a non-integer exponent gives nan."""
    try:
        return math.pow(x, y)
    except OverflowError:
        negative = x < 0.0 and _is_odd_integer(y)
        return -INF if negative else INF
    except ValueError:
        if x == 0.0:  # y < 0: a pole
            return math.copysign(INF, x) if _is_odd_integer(y) else INF
        return NAN  # x < 0 and y not an integer


def pow_scalar(x: float, c: float) -> float:
    """x ** c for a constant exponent, with PyTorch's shortcuts for common exponents.

    torch.pow(tensor, scalar) computes x*x for c = 2, x*x*x for 3, sqrt for 0.5, 1/sqrt
    for -0.5, 1/x for -1 and 1/(x*x) for -2; these can differ from pow() in the last bit
    and at -0.0 and -inf, so chainrule takes the same shortcuts.
    """
    if c == 2.0:
        return x * x
    if c == 3.0:
        return x * x * x
    if c == 0.5:
        return sqrt(x)
    if c == -0.5:
        return div(1.0, sqrt(x))
    if c == -1.0:
        return div(1.0, x)
    if c == -2.0:
        return div(1.0, x * x)
    return pow(x, c)


def log1p(x: float) -> float:
    """log(1 + x), exact for small x; log1p(-1) = -inf, log1p(x < -1) = nan."""
    try:
        return math.log1p(x)
    except ValueError:
        return -INF if x == -1.0 else NAN
    except OverflowError:
        return INF


def softplus(x: float) -> float:
    """log(1 + e**x) as PyTorch (beta 1, threshold 20): x itself above the threshold."""
    return x if x > 20.0 else log1p(exp(x))


def silu(x: float) -> float:
    """x sigmoid(x), as PyTorch's kernel writes it: x / (1 + e**-x)."""
    return div(x, 1.0 + exp(-x))


erf = math.erf  # never raises
atan = math.atan  # never raises


def gelu(x: float) -> float:
    """x Phi(x) with Phi from erf (PyTorch's approximate='none')."""
    return x * 0.5 * (1.0 + math.erf(x * 0.7071067811865476))


def leaky_relu(x: float, slope: float) -> float:
    """x for x > 0, else slope x (nan stays nan)."""
    return x if x > 0.0 else x * slope


def elu(x: float, alpha: float) -> float:
    """x for x > 0, else alpha (e**x - 1)."""
    return x if x > 0.0 else math.expm1(x) * alpha


def dot(w: Sequence[float], x: Sequence[float], b: float) -> float:
    """sum of w_i x_i, plus b: left to right, as the engine always sums."""
    return sum(map(operator.mul, w, x), 0.0) + b


def total(xs: Iterable[float]) -> float:
    """xs summed left to right from 0.0."""
    return sum(xs, 0.0)


def first_extreme(xs: Sequence[float], beats: Callable[[float, float], bool]) -> int:
    """Index of the first x that no later x beats; a nan wins at once (it propagates)."""
    best = 0
    for k in range(len(xs)):
        x = xs[k]
        if x != x:
            return k
        if beats(x, xs[best]):
            best = k
    return best


def largest(xs: Sequence[float]) -> float:
    return xs[first_extreme(xs, operator.gt)]


def smallest(xs: Sequence[float]) -> float:
    return xs[first_extreme(xs, operator.lt)]


# --- the float arithmetic of a derivative rule (see ops.py): branches, many-input ops -----


def where(condition: bool, if_true: float, if_false: float) -> float:
    """if_true where condition holds, else if_false (both already computed: floats are cheap)."""
    return if_true if condition else if_false


def eq(a: float, b: float) -> bool:
    return a == b


def scale(g: float, factors: Iterable[float]) -> Iterator[float]:
    """g times each factor, lazily: the chain rule consumes it once."""
    return map(operator.mul, repeat(g), factors)


def one_hot(g: float, n: int, index: int) -> list[float]:
    """g at index (none if index < 0), 0.0 at the n - 1 other places."""
    sends = [0.0] * n
    if index >= 0:
        sends[index] = g
    return sends
