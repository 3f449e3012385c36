"""Loss functions built from engine ops, so backward() flows through them; values follow
torch.nn.functional, including its conventions at the edges (log clamped at -100).

Predictions may be Values or plain numbers; targets are numbers. Lists are averaged
(sse is summed, times 1/2), as PyTorch's default reduction="mean".
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Sequence
from typing import Any, cast

from autograd import Value, dot, sum_values

Scalar = Value | float
Scalars = Scalar | Sequence[Scalar]


def _pairs(preds: Scalars, targets: Scalars, loss: str) -> tuple[list, list]:
    """preds and targets as two flat lists of equal length (a scalar is a list of one;
    a list of lists, such as a batch of multi-output predictions, is flattened)."""
    p, t = _flat(preds), _flat(targets)
    if len(p) != len(t):
        raise ValueError(
            f"{loss}() got {len(p)} predictions but {len(t)} targets; they must match one to one"
        )
    if not p:
        raise ValueError(f"{loss}() got no predictions; it needs at least one")
    return p, t


def _flat(x: Scalars) -> list:
    if isinstance(x, (Value, numbers.Real)):
        return [x]
    items: list[Any] = list(cast(Sequence[Any], x))
    if items and not isinstance(items[0], (Value, numbers.Real)):
        return [v for row in items for v in row]
    return items


def _lift(x: Scalar) -> Value:
    """A number as a constant Value, so Value methods (relu, log, ...) apply to it."""
    return x if isinstance(x, Value) else Value(x)


def mse(preds: Scalars, targets: Scalars) -> Value:
    """Mean squared error: (1/n) sum_i (p_i - t_i)^2, as F.mse_loss."""
    p, t = _pairs(preds, targets, "mse")
    diffs = list(map(operator.sub, p, t))
    return dot(diffs, diffs) / len(diffs)  # sum of squares as one node: d/d(diff) = 2 diff


def sse(preds: Scalars, targets: Scalars) -> Value:
    """Half the sum of squared errors: (1/2) sum_i (p_i - t_i)^2; its gradient is p - t."""
    p, t = _pairs(preds, targets, "sse")
    diffs = list(map(operator.sub, p, t))
    return dot(diffs, diffs) * 0.5


def hinge(scores: Scalars, targets: Scalars) -> Value:
    """Mean hinge loss for targets y = +-1: (1/n) sum_i relu(1 - y_i s_i), as SVMs use.

    Zero once every score is on the right side with margin 1; labels 0/1 must be mapped
    to -1/+1 first (nn.fit does this for you).
    """
    s, y = _pairs(scores, targets, "hinge")
    for label in y:
        if float(label) not in (1.0, -1.0):
            raise ValueError(
                f"hinge() expects targets -1 or +1, got {label!r}; map 0/1 labels with 2*y - 1 "
                f"(nn.fit does this for hinge)"
            )
    margins = [_lift(si * _negated(yi) + 1.0).relu() for si, yi in zip(s, y)]
    return sum_values(margins) / len(margins)


def _negated(y: Scalar) -> Scalar:
    """-y: a Value target stays a Value (an input of a compiled step, see nn/compiled.py),
    a number stays a number; both give s * -y the same value and the same slope in s."""
    return -y if isinstance(y, Value) else -float(y)


def bce_with_logits(logit: Scalars, target: Scalars) -> Value:
    """Binary cross-entropy of sigmoid(x) against t in [0, 1], computed from the logit x:
    (1 - t) x + log(1 + e^-x), as F.binary_cross_entropy_with_logits.

    Written by the sign of x so that e^(...) never overflows: finite for x = +-1000.
    """
    xs, ts = _pairs(logit, target, "bce_with_logits")
    terms = []
    for x, t in zip(xs, ts):
        x, t = _lift(x), float(t)
        if x.data >= 0.0:  # (1 - t) x + log(1 + e^-x)
            terms.append(x * (1.0 - t) + ((-x).exp() + 1.0).log())
        else:  # the same, rearranged: -t x + log(1 + e^x)
            terms.append(x * -t + (x.exp() + 1.0).log())
    return sum_values(terms) / len(terms)


# PyTorch clamps each log at -100 and the gradient's denominator p(1 - p) at 1e-12, a C++
# float constant: 1e-12 rounded to single precision
_LOG_MIN = -100.0
_EPS = 9.999999960041972e-13


def binary_cross_entropy(prob: Scalars, target: Scalars) -> Value:
    """-(t log p + (1 - t) log(1 - p)) for probabilities p in [0, 1], as F.binary_cross_entropy.

    Where p(1 - p) < 1e-12 (p within 1e-12 of 0 or 1) PyTorch clamps: each log at -100
    and the gradient to (p - t) / max(p(1 - p), 1e-12). There we build a node with exactly
    that value and slope, so saturated sigmoids give large but finite gradients.
    """
    ps, ts = _pairs(prob, target, "binary_cross_entropy")
    terms = []
    for p, t in zip(ps, ts):
        p, t = _lift(p), float(t)
        x = p.data
        if not 0.0 <= x <= 1.0:
            raise ValueError(
                f"binary_cross_entropy() expects probabilities in [0, 1], got {x}; "
                f"for raw scores use bce_with_logits"
            )
        if x * (1.0 - x) >= _EPS:
            terms.append(-(p.log() * t + (1.0 - p).log() * (1.0 - t)))
        else:
            log_p = math.log(x) if x > 0.0 else -math.inf
            log_q = math.log1p(-x) if x < 1.0 else -math.inf
            value = (t - 1.0) * max(log_q, _LOG_MIN) - t * max(log_p, _LOG_MIN)
            slope = (x - t) / max(x * (1.0 - x), _EPS)
            terms.append((p - x) * slope + value)  # value exactly `value`, gradient `slope`
    return sum_values(terms) / len(terms)


def cross_entropy(logits: Sequence, target_index: int | Sequence[int]) -> Value:
    """Softmax cross-entropy: log(sum_j e^(z_j)) - z_target, as F.cross_entropy.

    One sample: a list of logits and a class index. A batch: a list of such lists and a
    list of indices, averaged. Logits are shifted by their max first, so +-1000 is finite.
    """
    if isinstance(logits, (Value, numbers.Real)):
        raise ValueError(
            "cross_entropy() needs a list of logits, one per class, got a single score; "
            "for two classes with one output use bce_with_logits or hinge"
        )
    rows = list(logits)
    if not rows:
        raise ValueError("cross_entropy() got no logits; pass one list of logits per sample")
    if not isinstance(rows[0], (Value, numbers.Real)):  # a batch
        indices = (
            [target_index]
            if isinstance(target_index, numbers.Integral)
            else list(cast(Sequence[int], target_index))
        )
        if len(rows) != len(indices):
            raise ValueError(f"cross_entropy() got {len(rows)} samples but {len(indices)} targets")
        losses = [_cross_entropy_one(list(r), k) for r, k in zip(rows, indices)]
        return sum_values(losses) / len(losses)
    return _cross_entropy_one(rows, target_index)


def _cross_entropy_one(z: list, k: object) -> Value:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise ValueError(
            f"cross_entropy() expects a class index (an int), got {type(k).__name__} {k!r}"
        )
    if not 0 <= int(k) < len(z):
        raise ValueError(
            f"class index {k} is out of range for {len(z)} logits (valid: 0..{len(z) - 1})"
        )
    top = max(float(zj) for zj in z)
    shifted: list[Scalar] = [zj - top for zj in z]  # the max becomes 0: e^(...) <= 1, never inf
    total = sum_values([_lift(s).exp() for s in shifted])
    return total.log() - shifted[int(k)]
