"""Threads: grad mode is per thread, and models trained in two threads at once end exactly
where they end when trained one after the other."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

import pytest

import nn
from autograd import Value, is_grad_enabled, no_grad


def _in_threads(*targets: Callable[[], object]) -> list[object]:
    """Run targets at once (a barrier starts them together), return their results in order."""
    barrier = threading.Barrier(len(targets))
    results: list[object] = [None] * len(targets)
    errors: list[BaseException] = []

    def run(i: int, target: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[i] = target()
        except BaseException as e:  # noqa: BLE001 - re-raised in the main thread below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: interleave the ops
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    if errors:
        raise errors[0]
    return results


def test_no_grad_in_one_thread_leaves_recording_on_in_another() -> None:
    entered, checked = threading.Event(), threading.Event()
    seen = {}

    def quiet_thread() -> None:
        with no_grad():
            entered.set()
            checked.wait(timeout=10)
            seen["quiet"] = (is_grad_enabled(), (Value(2.0) * 3.0).parents)

    worker = threading.Thread(target=quiet_thread)
    worker.start()
    assert entered.wait(timeout=10)
    x = Value(2.0)
    here = (is_grad_enabled(), (x * 3.0).parents)
    checked.set()
    worker.join()
    assert here == (True, (x,)), here
    assert seen["quiet"] == (False, ()), seen


def test_a_new_thread_records_even_when_its_creator_is_under_no_grad() -> None:
    seen = []
    with no_grad():
        worker = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        worker.start()
        worker.join()
        assert not is_grad_enabled()
    assert seen == [True]


DATA = nn.data.moons(24, noise=0.1, seed=3)


def _train(seed: int, optimizer: str, steps: int = 12) -> tuple[list[float], list[float]]:
    """Full-batch training of a small MLP; the loss history and the final weights."""
    X, y = DATA
    model = nn.MLP(2, [6, 6, 1], activation="tanh", seed=seed)
    params = model.parameters()
    if optimizer == "adam":
        opt = nn.optim.Adam(params, lr=0.05)
    else:
        opt = nn.optim.SGD(params, lr=0.1, momentum=0.9)
    losses = []
    for _ in range(steps):
        scores = [model(list(x)) for x in X]
        loss = nn.losses.hinge(scores, [2 * label - 1 for label in y])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.data)
    return losses, [p.data for p in params]


@pytest.mark.parametrize("optimizers", [("adam", "sgd"), ("adam", "adam")])
def test_two_threads_training_at_once_match_training_one_after_the_other(optimizers) -> None:
    first, second = optimizers
    alone = [_train(1, first), _train(2, second)]
    together = _in_threads(lambda: _train(1, first), lambda: _train(2, second))
    for i, (a, b) in enumerate(zip(alone, together)):
        assert a == b, f"model {i}: a concurrent run differs from the sequential one"
    assert alone[0][0][-1] < alone[0][0][0], "training should lower the loss"


def test_training_next_to_a_thread_evaluating_under_no_grad_is_unaffected() -> None:
    """One thread predicts under no_grad in a loop while the other trains: the trainer's
    gradients are unchanged (a leaked no_grad would leave them at zero)."""
    alone = _train(4, "sgd")
    stop = threading.Event()

    def evaluate() -> int:
        model, calls = nn.MLP(2, [6, 6, 1], seed=9), 0
        while not stop.is_set():
            with no_grad():
                assert model([0.5, -0.5]).parents == ()
            calls += 1
        return calls

    def train() -> tuple[list[float], list[float]]:
        try:
            return _train(4, "sgd")
        finally:
            stop.set()

    trained, calls = _in_threads(train, evaluate)
    assert trained == alone, "training next to a no_grad thread changed the result"
    assert calls > 0
