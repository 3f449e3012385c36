"""nn.losses against torch.nn.functional (float64): values and gradients, edges included."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value
from nn import losses


def close(a: float, b: float) -> bool:
    """Within 1e-9 relative, or 1e-12 absolute for results near 0 (where torch itself is only
    accurate to a few ulps of the operands, e.g. log-sigmoid of -30 is x - (x - 1e-13))."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def check_against_torch(ours, theirs, preds, targets):
    """Run one loss on Values and on a float64 tensor; compare value and every gradient."""
    values = [Value(p) for p in preds]
    out = ours(values, targets)
    out.backward()
    tensor = torch.tensor(preds, dtype=torch.float64, requires_grad=True)
    wanted = torch.tensor(targets, dtype=torch.float64)
    ref = theirs(tensor, wanted)
    ref.backward()
    assert close(out.data, ref.item()), f"value {out.data!r} != torch {ref.item()!r}"
    for i, (v, g) in enumerate(zip(values, tensor.grad.tolist())):
        assert close(v.grad, g), f"grad[{i}] {v.grad!r} != torch {g!r} (pred {preds[i]!r})"
    assert math.isfinite(out.data) or not math.isfinite(ref.item())


PREDS = [0.3, -1.7, 2.5, 0.0, 4.25]
TARGETS = [1.0, -1.0, 2.0, 0.5, -3.0]


def test_mse_matches_torch():
    check_against_torch(losses.mse, F.mse_loss, PREDS, TARGETS)


def test_sse_is_half_the_sum_of_squares_as_torch():
    check_against_torch(
        losses.sse, lambda p, t: 0.5 * F.mse_loss(p, t, reduction="sum"), PREDS, TARGETS
    )


def test_hinge_matches_relu_of_one_minus_margin():
    scores, labels = [0.3, -1.7, 2.5, -0.2, 0.9], [1.0, -1.0, -1.0, 1.0, 1.0]
    check_against_torch(losses.hinge, lambda s, y: torch.relu(1 - y * s).mean(), scores, labels)


def test_mse_accepts_plain_numbers_and_a_single_value():
    assert close(losses.mse([1.0, 2.0], [0.0, 0.0]).data, 2.5)
    x = Value(3.0)
    out = losses.mse(x, 1.0)
    out.backward()
    assert close(out.data, 4.0) and close(x.grad, 4.0)


def test_mse_flattens_a_batch_of_output_rows_as_torch_does_for_2d_tensors():
    rows = [[Value(0.5), Value(-1.0)], [Value(2.0), Value(0.25)]]
    out = losses.mse(rows, [[1.0, 0.0], [0.0, 1.0]])
    ref = F.mse_loss(
        torch.tensor([[0.5, -1.0], [2.0, 0.25]], dtype=torch.float64),
        torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64),
    )
    assert close(out.data, ref.item())


LOGITS = [-1000.0, -50.0, -30.0, -5.0, -1e-3, 0.0, 0.5, 30.0, 50.0, 1000.0]


@pytest.mark.parametrize("target", [0.0, 1.0, 0.3])
def test_bce_with_logits_matches_torch_including_extreme_logits(target):
    targets = [target] * len(LOGITS)
    check_against_torch(losses.bce_with_logits, F.binary_cross_entropy_with_logits, LOGITS, targets)


@pytest.mark.parametrize("logit", LOGITS)
@pytest.mark.parametrize("target", [0.0, 1.0])
def test_bce_with_logits_of_one_value_is_finite_with_torch_gradient(logit, target):
    check_against_torch(
        losses.bce_with_logits, F.binary_cross_entropy_with_logits, [logit], [target]
    )


PROBS = [0.0, 1e-50, 1e-13, 1e-12, 1e-6, 0.3, 0.5, 0.999999, 1 - 1e-13, 1.0]


@pytest.mark.parametrize("prob", PROBS)
@pytest.mark.parametrize("target", [0.0, 1.0, 0.7])
def test_binary_cross_entropy_follows_torch_clamps_at_the_edges(prob, target):
    check_against_torch(losses.binary_cross_entropy, F.binary_cross_entropy, [prob], [target])


def test_binary_cross_entropy_averages_a_list():
    check_against_torch(
        losses.binary_cross_entropy, F.binary_cross_entropy, [0.2, 0.9, 0.5], [0.0, 1.0, 1.0]
    )


def check_cross_entropy(logits, index):
    values = (
        [[Value(z) for z in row] for row in logits]
        if isinstance(index, list)
        else [Value(z) for z in logits]
    )
    out = losses.cross_entropy(values, index)
    out.backward()
    tensor = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    ref = F.cross_entropy(tensor, torch.tensor(index))
    ref.backward()
    assert math.isfinite(out.data), f"cross_entropy is {out.data} for logits {logits}"
    assert close(out.data, ref.item()), f"{out.data!r} != torch {ref.item()!r}"
    flat = [v for row in values for v in row] if isinstance(index, list) else values
    for v, g in zip(flat, tensor.grad.flatten().tolist()):
        assert math.isfinite(v.grad) and close(v.grad, g), f"grad {v.grad!r} != torch {g!r}"


def test_cross_entropy_of_one_sample_matches_torch():
    check_cross_entropy([1.5, -0.3, 2.2, 0.0], 1)


def test_cross_entropy_of_a_batch_is_the_mean_as_torch():
    check_cross_entropy([[1.5, -0.3, 2.2], [0.1, 0.2, 0.3], [-4.0, 5.0, 0.5]], [2, 0, 1])


@pytest.mark.parametrize("index", [0, 1, 2])
def test_cross_entropy_with_logits_of_plus_minus_1000_is_finite(index):
    check_cross_entropy([1000.0, -1000.0, 0.0], index)
    check_cross_entropy([[-1000.0, -1000.0, 1000.0], [1000.0, 1000.0, -1000.0]], [index, index])


@settings(max_examples=60)
@given(
    st.lists(st.floats(-1000, 1000), min_size=2, max_size=6),
    st.integers(0, 5),
)
def test_cross_entropy_matches_torch_on_random_logits(logits, index):
    check_cross_entropy(logits, index % len(logits))


def test_losses_accept_numbers_as_predictions():
    for fn, p, t in [
        (losses.mse, [1.0, 2.0], [0.0, 1.0]),
        (losses.hinge, [0.5, -0.5], [1, -1]),
        (losses.bce_with_logits, [0.5], [1.0]),
        (losses.binary_cross_entropy, [0.5], [1.0]),
    ]:
        out = fn(p, t)
        assert isinstance(out, Value) and math.isfinite(out.data), (
            f"{fn.__name__} on numbers gave {out!r}"
        )
    assert isinstance(losses.cross_entropy([1.0, 2.0], 0), Value)


@pytest.mark.parametrize(
    "fn",
    [losses.mse, losses.sse, losses.hinge, losses.bce_with_logits, losses.binary_cross_entropy],
)
def test_mismatched_lengths_are_a_value_error(fn):
    with pytest.raises(ValueError, match="2 predictions but 3 targets"):
        fn([Value(0.5), Value(0.5)], [1, 1, 1])
    with pytest.raises(ValueError, match="no predictions"):
        fn([], [])


@pytest.mark.parametrize("index", [3, -1, 10])
def test_cross_entropy_out_of_range_class_is_a_value_error(index):
    with pytest.raises(ValueError, match=f"class index {index} is out of range for 3 logits"):
        losses.cross_entropy([Value(1.0), Value(2.0), Value(3.0)], index)


def test_cross_entropy_rejects_bad_targets_and_a_single_score():
    with pytest.raises(ValueError, match="2 samples but 1 targets"):
        losses.cross_entropy([[1.0, 2.0], [3.0, 4.0]], [0])
    with pytest.raises(ValueError, match="class index"):
        losses.cross_entropy([1.0, 2.0], 0.5)
    with pytest.raises(ValueError, match="list of logits"):
        losses.cross_entropy(Value(1.0), 0)


def test_hinge_rejects_zero_one_labels_and_says_how_to_fix():
    with pytest.raises(ValueError, match="2\\*y - 1"):
        losses.hinge([Value(0.5)], [0])


def test_binary_cross_entropy_rejects_probabilities_outside_0_1_as_torch():
    for bad in [-0.1, 1.5]:
        with pytest.raises(RuntimeError):
            F.binary_cross_entropy(
                torch.tensor([bad], dtype=torch.float64), torch.tensor([1.0], dtype=torch.float64)
            )
        with pytest.raises(ValueError, match="bce_with_logits"):
            losses.binary_cross_entropy([Value(bad)], [1.0])


def test_cross_entropy_of_no_logits_is_a_value_error():
    with pytest.raises(ValueError, match="no logits"):
        losses.cross_entropy([], 0)


def test_extreme_inputs_raise_no_anomaly():
    """Stable forms never make an inf or nan along the way, even where the result is finite."""
    from autograd import detect_anomaly

    with detect_anomaly():
        for out in [
            losses.bce_with_logits([Value(-1000.0), Value(1000.0)], [1.0, 0.0]),
            losses.cross_entropy([Value(1000.0), Value(-1000.0)], 1),
            losses.binary_cross_entropy([Value(0.0), Value(1.0)], [1.0, 0.0]),
        ]:
            out.backward()
            assert math.isfinite(out.data)
