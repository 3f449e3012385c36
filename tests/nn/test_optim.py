"""nn.optim against torch.optim: the same trajectories step for step, the same refusals."""

from __future__ import annotations

import math

import pytest
import torch

from autograd import Value
from nn import optim

START = [0.8, -1.3, 0.4]
STEPS = 30


def objective(a, b, c):
    """Non-convex in (a, b, c); written once, run on Values and on tensors alike."""
    return a.sin() * b + (a * b - 1) ** 2 + (c * a).tanh() + 0.1 * c**4 + 0.5 * (b - c) ** 2


def trajectories(ours, theirs, **kwargs):
    """Parameter vectors after each of STEPS steps, from chainrule and from torch."""
    values = [Value(x) for x in START]
    opt = ours(values, **kwargs)
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in START]
    ref = theirs(tensors, **kwargs)
    mine, torchs = [], []
    for _ in range(STEPS):
        opt.zero_grad()
        objective(*values).backward()
        opt.step()
        mine.append([v.data for v in values])
        ref.zero_grad()
        objective(*tensors).backward()
        ref.step()
        torchs.append([t.item() for t in tensors])
    return mine, torchs


SGD_CONFIGS = [
    dict(lr=0.05),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.03, momentum=0.5, weight_decay=0.1),
    dict(lr=0.03, momentum=0.8, nesterov=True, weight_decay=0.01),
]
ADAM_CONFIGS = [
    dict(),
    dict(lr=0.05),
    dict(lr=0.1, betas=(0.5, 0.9)),
    dict(lr=0.02, betas=(0.0, 0.99), eps=1e-3),
    dict(lr=0.05, weight_decay=0.1),
]


@pytest.mark.parametrize(
    "ours, theirs, kwargs",
    [(optim.SGD, torch.optim.SGD, kw) for kw in SGD_CONFIGS]
    + [(optim.Adam, torch.optim.Adam, kw) for kw in ADAM_CONFIGS],
    ids=[f"SGD{kw}" for kw in SGD_CONFIGS] + [f"Adam{kw}" for kw in ADAM_CONFIGS],
)
def test_trajectory_matches_torch_step_for_step(ours, theirs, kwargs):
    mine, torchs = trajectories(ours, theirs, **kwargs)
    moved = max(abs(x - x0) for x, x0 in zip(mine[-1], START))
    assert moved > 0.02, "the test problem should move the parameters"
    for step, (a, b) in enumerate(zip(mine, torchs), start=1):
        for i, (x, y) in enumerate(zip(a, b)):
            assert math.isclose(x, y, rel_tol=1e-8, abs_tol=1e-8), (
                f"step {step}, param {i}: {x!r} != torch {y!r}"
            )


BAD = [
    (optim.SGD, torch.optim.SGD, dict(lr=-0.1)),
    (optim.SGD, torch.optim.SGD, dict(lr=0.1, momentum=-0.5)),
    (optim.SGD, torch.optim.SGD, dict(lr=0.1, weight_decay=-1.0)),
    (optim.SGD, torch.optim.SGD, dict(lr=0.1, nesterov=True)),
    (optim.Adam, torch.optim.Adam, dict(lr=-1e-3)),
    (optim.Adam, torch.optim.Adam, dict(betas=(1.0, 0.999))),
    (optim.Adam, torch.optim.Adam, dict(betas=(-0.1, 0.999))),
    (optim.Adam, torch.optim.Adam, dict(betas=(0.9, 1.0))),
    (optim.Adam, torch.optim.Adam, dict(eps=-1e-8)),
    (optim.Adam, torch.optim.Adam, dict(weight_decay=-0.1)),
]


@pytest.mark.parametrize("ours, theirs, kwargs", BAD, ids=[f"{o.__name__}{kw}" for o, _, kw in BAD])
def test_hyperparameters_torch_rejects_are_a_value_error(ours, theirs, kwargs):
    with pytest.raises(ValueError):
        theirs([torch.zeros(1, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError, match="Invalid|Nesterov"):
        ours([Value(0.0)], **kwargs)


@pytest.mark.parametrize(
    "ours, theirs, kwargs",
    [(optim.SGD, torch.optim.SGD, dict(lr=0.1)), (optim.Adam, torch.optim.Adam, {})],
)
def test_empty_parameter_list_is_a_value_error_as_torch(ours, theirs, kwargs):
    with pytest.raises(ValueError):
        theirs([], **kwargs)
    with pytest.raises(ValueError, match="empty parameter list"):
        ours([], **kwargs)


def test_parameters_must_be_values():
    with pytest.raises(TypeError, match="must be Values, got float"):
        optim.SGD([Value(1.0), 2.0], lr=0.1)


def test_zero_grad_resets_every_gradient():
    params = [Value(1.0), Value(2.0)]
    (params[0] * params[1]).backward()
    opt = optim.Adam(iter(params))  # any iterable of Values, as torch
    opt.zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]


def test_sgd_step_is_minus_lr_times_grad():
    p = Value(1.0)
    (p * p).backward()  # grad 2
    optim.SGD([p], lr=0.25).step()
    assert p.data == 0.5


SCHEDULES = {
    "keras decay": lambda t: 1.0 / (1.0 + 0.05 * t),
    "step halving": lambda t: 0.5 ** (t // 4),
    "warm-up": lambda t: min(1.0, (t + 1) / 5),
}
SCHEDULED = [
    (optim.SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)),
    (optim.SGD, torch.optim.SGD, dict(lr=0.05)),
    (optim.Adam, torch.optim.Adam, dict(lr=0.05)),
]


@pytest.mark.parametrize("schedule", list(SCHEDULES))
@pytest.mark.parametrize("ours, theirs, kwargs", SCHEDULED, ids=["SGD-nesterov", "SGD", "Adam"])
def test_lambda_lr_matches_torch_step_for_step(ours, theirs, kwargs, schedule):
    lr_lambda = SCHEDULES[schedule]
    values = [Value(x) for x in START]
    opt = ours(values, **kwargs)
    sched = optim.LambdaLR(opt, lr_lambda)
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in START]
    ref = theirs(tensors, **kwargs)
    ref_sched = torch.optim.lr_scheduler.LambdaLR(ref, lr_lambda)
    assert sched.get_last_lr() == ref_sched.get_last_lr(), "construction sets lr_lambda(0)"
    for step in range(1, STEPS + 1):
        opt.zero_grad()
        objective(*values).backward()
        opt.step()
        sched.step()
        ref.zero_grad()
        objective(*tensors).backward()
        ref.step()
        ref_sched.step()
        assert sched.get_last_lr() == ref_sched.get_last_lr(), f"lr after step {step}"
        for i, (v, t) in enumerate(zip(values, tensors)):
            same = math.isclose(v.data, t.item(), rel_tol=1e-8, abs_tol=1e-8)
            assert same, f"step {step}, param {i}: {v.data!r} != torch {t.item()!r}"
    assert opt.lr == kwargs["lr"] * lr_lambda(STEPS)


def test_keras_decay_is_the_time_based_schedule():
    opt = optim.SGD([Value(0.0)], lr=0.05, momentum=0.9, nesterov=True)
    sched = optim.LambdaLR(opt, lambda t: 1 / (1 + 1e-2 * t))
    for _ in range(10):
        sched.step()
    assert opt.lr == pytest.approx(0.05 / (1 + 1e-2 * 10), rel=1e-15)


def test_lambda_lr_refuses_what_is_not_an_optimizer_or_a_function():
    with pytest.raises(TypeError, match="SGD or Adam"):
        optim.LambdaLR([Value(1.0)], lambda t: 1.0)
    with pytest.raises(TypeError, match="lr_lambda must be a function"):
        optim.LambdaLR(optim.SGD([Value(1.0)], lr=0.1), 0.5)
