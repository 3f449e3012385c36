"""no_grad: as context manager and decorator, nesting, and per thread."""

from __future__ import annotations

import threading

import autograd
from autograd import Value, no_grad


def test_no_grad_records_no_parents() -> None:
    x = Value(2.0)
    with no_grad():
        y = x * x + 1.0
        assert not autograd.is_grad_enabled()
    assert y.data == 5.0 and y.parents == () and y.op == ""
    assert autograd.is_grad_enabled()
    assert (x * x).parents == (x, x)


def test_no_grad_as_decorator_and_nested() -> None:
    @no_grad()
    def square(v: Value) -> Value:
        with no_grad():
            inner = v * v
        assert not autograd.is_grad_enabled()  # still off after the inner block
        return inner + 0.0

    x = Value(3.0)
    y = square(x)
    assert y.parents == () and y.data == 9.0
    assert autograd.is_grad_enabled()


def test_no_grad_restores_the_mode_after_an_exception() -> None:
    try:
        with no_grad():
            raise KeyError("boom")
    except KeyError:
        pass
    assert autograd.is_grad_enabled()


def test_no_grad_in_one_thread_does_not_affect_another() -> None:
    inside = threading.Event()
    checked = threading.Event()
    seen = {}

    def other_thread() -> None:
        inside.wait(5)
        x = Value(2.0)
        seen["parents"] = (x * x).parents
        seen["enabled"] = autograd.is_grad_enabled()
        checked.set()

    worker = threading.Thread(target=other_thread)
    worker.start()
    with no_grad():
        inside.set()
        checked.wait(5)
        assert (Value(1.0) * 2.0).parents == ()
    worker.join(5)
    assert seen["enabled"] is True and len(seen["parents"]) == 2


def test_decorated_function_is_safe_to_call_from_two_threads() -> None:
    results = []

    @no_grad()
    def work() -> None:
        x = Value(1.0)
        for _ in range(2000):
            x = x * 1.0
        results.append((x.parents, autograd.is_grad_enabled()))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == [((), False)] * 4
    assert autograd.is_grad_enabled()
