"""fit(compile=True) trains exactly as fit(compile=False): the same History, loss for loss,
and the same weights, full-batch and mini-batch; losses it cannot compile are refused."""

from __future__ import annotations

from typing import Any

import pytest

import nn
from autograd import Value


def _train(compile: bool, **kwargs: Any) -> tuple:
    X, y = nn.data.moons(40, noise=0.1, seed=2)
    model = nn.MLP(2, kwargs.pop("nouts", [8, 8, 1]), seed=1)
    optimizer = kwargs.pop("optimizer", lambda p: nn.optim.SGD(p, lr=0.1))(model.parameters())
    history = nn.fit(model, X, y, optimizer=optimizer, quiet=True, compile=compile, **kwargs)
    return history, [p.data for p in model.parameters()]


CASES = {
    "hinge, full batch": dict(loss="hinge", epochs=8),
    "hinge, mini-batch, l2": dict(loss="hinge", epochs=4, batch_size=7, seed=3, l2=1e-3),
    "mse, mini-batch, Adam": dict(
        loss="mse", epochs=4, batch_size=16, seed=0, optimizer=lambda p: nn.optim.Adam(p, lr=0.01)
    ),
    "sse, two outputs, one-hot targets": dict(
        loss="sse", epochs=4, batch_size=10, seed=1, nouts=[6, 2]
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_compiled_fit_gives_the_same_history_and_weights(case: str) -> None:
    plain, weights = _train(False, **dict(CASES[case]))
    compiled, compiled_weights = _train(True, **dict(CASES[case]))
    assert len(plain) == len(compiled) > 0
    for a, b in zip(plain.loss, compiled.loss):
        assert abs(a - b) <= 1e-12, (plain.loss, compiled.loss)
    assert plain.loss == compiled.loss  # in fact bit for bit
    assert plain.accuracy == compiled.accuracy
    assert weights == compiled_weights


def test_a_loss_that_reads_targets_as_numbers_is_traced_per_set_of_targets() -> None:
    def loss(preds: list, targets: list) -> Value:  # float(t): targets become constants
        return sum((p - float(t)) ** 2 for p, t in zip(preds, targets)) * (1.0 / len(preds))

    kwargs = dict(loss=loss, epochs=3, batch_size=20, seed=5)
    plain, weights = _train(False, **dict(kwargs))
    compiled, compiled_weights = _train(True, **dict(kwargs))
    assert plain.loss == compiled.loss and weights == compiled_weights


@pytest.mark.parametrize("loss", ["bce_with_logits", "binary_cross_entropy", "cross_entropy"])
def test_losses_that_branch_on_the_predictions_are_refused(loss: str) -> None:
    with pytest.raises(ValueError, match="cannot compile loss="):
        _train(True, loss=loss, epochs=1)
