"""The benchmark's tasks compute what they claim: every engine agrees with the handwritten
baseline on each task (the benchmark times them; these tests time nothing)."""

from __future__ import annotations

import math

import pytest

from benchmarks import handwritten, tasks
from benchmarks.runner import agree, human_time


@pytest.mark.parametrize("n", [4, 40, 4_000])
def test_linked_list_chain_is_the_handwritten_chain_bit_for_bit(n: int) -> None:
    assert handwritten.linked_chain(n) == handwritten.chain(n)


def test_handwritten_chain_gradient_matches_central_differences() -> None:
    n, h = 12, 1e-6

    def slope(**at: float) -> float:
        ((name, value),) = at.items()
        return (
            handwritten.chain(n, **{name: value + h})[0]
            - handwritten.chain(n, **{name: value - h})[0]
        ) / (2 * h)

    _, d_x, d_w = handwritten.chain(n)
    assert math.isclose(d_x, slope(x=0.5), rel_tol=1e-6) and math.isclose(
        d_w, slope(w=0.9), rel_tol=1e-6
    )


def _engines(names):
    """The engines as test parameters; PyTorch's carry the torch marker."""
    return [pytest.param(e, marks=pytest.mark.torch) if "pytorch" in e else e for e in names]


CHAIN_ENGINES = _engines(e for e in tasks.BUILDERS["chain"] if e != "handwritten")


@pytest.mark.parametrize("engine", CHAIN_ENGINES)
def test_every_chain_engine_agrees_with_handwritten(engine: str) -> None:
    run, label, _ = tasks.build("chain", engine, 400)
    assert agree(run(), handwritten.chain(400)), label


@pytest.mark.parametrize(
    "engine", _engines(["chainrule nn", "chainrule nn, compiled", "chainrule ops", "pytorch"])
)
def test_every_mlp_engine_takes_the_handwritten_step(engine: str) -> None:
    setup = tasks.mlp_setup()
    reference, _, _ = tasks.build("mlp", "handwritten", 0, setup)
    run, label, _ = tasks.build("mlp", engine, 0, setup)
    for _ in range(3):  # the same losses step after step: the same updates too
        assert agree(run(), reference()), label


@pytest.mark.parametrize(
    "seconds, shown",
    [
        (0.9996, "1 s"),
        (0.9994, "999 ms"),
        (2.27, "2.27 s"),
        (9.996e-4, "1 ms"),
        (1.2e-5, "12 µs"),
        (4.79e-7, "479 ns"),
    ],
)
def test_times_are_shown_with_three_digits_in_the_largest_unit_that_fits(
    seconds: float, shown: str
) -> None:
    assert human_time(seconds) == shown


@pytest.fixture(scope="module")
def cnn_setup():
    pytest.importorskip("sklearn")
    from benchmarks import cnn

    return cnn.cnn_setup()


@pytest.mark.parametrize("engine", _engines(["chainrule nn", "pytorch", "pytorch batched"]))
def test_every_cnn_engine_takes_the_handwritten_step(engine: str, cnn_setup) -> None:
    import copy

    setup = copy.deepcopy(cnn_setup)  # the handwritten step updates its weights in place
    params, X, Y = setup
    few = (params, X[:5], Y[:5])  # five digits: the same arithmetic as a hundred, faster
    reference, _, _ = tasks.build("cnn", "handwritten", 0, copy.deepcopy(few))
    run, label, _ = tasks.build("cnn", engine, 0, few)
    for _ in range(2):  # the same losses step after step: the same updates too
        assert agree(run(), reference()), label


def test_the_handwritten_cnn_gradient_matches_central_differences(cnn_setup) -> None:
    """The reference is right: its update of one weight per layer is -lr times the slope."""
    import copy

    from benchmarks import cnn

    params, X, Y = cnn_setup
    X, Y, h = X[:3], Y[:3], 1e-6
    for layer, unit, k in ((0, 1, 4), (1, 5, 20), (2, 3, 7)):

        def loss_at(delta: float, layer: int = layer, unit: int = unit, k: int = k) -> float:
            p = copy.deepcopy(params)
            p[layer][0][unit][k] += delta
            return cnn.handwritten_step(p, X, Y)

        slope = (loss_at(h) - loss_at(-h)) / (2 * h)
        stepped = copy.deepcopy(params)
        cnn.handwritten_step(stepped, X, Y)
        grad = (params[layer][0][unit][k] - stepped[layer][0][unit][k]) / cnn.LR
        assert math.isclose(grad, slope, rel_tol=1e-5, abs_tol=1e-9), (layer, grad, slope)
