"""nn.to_torch / nn.from_torch: the same model both ways, outputs and gradients equal to 1e-12,
round trips, clear errors, and PyTorch imported only when asked for."""

from __future__ import annotations

import math
import random
import subprocess
import sys

import pytest
import torch

import nn
from autograd import Value

TOL = 1e-12


def close_lists(mine, theirs, what):
    assert len(mine) == len(theirs), f"{what}: {len(mine)} vs {len(theirs)}"
    bad = [
        (i, a, b)
        for i, (a, b) in enumerate(zip(mine, theirs))
        if not math.isclose(a, b, rel_tol=TOL, abs_tol=TOL)
    ]
    assert not bad, f"{what}: first difference (index, chainrule, torch) {bad[0]}"


def cnn(seed=0):
    return nn.Sequential(
        nn.Conv2d(1, 2, 3, seed=seed),
        nn.Tanh(),
        nn.Conv2d(2, 3, (2, 3), stride=(1, 2), padding=1, seed=seed + 1),
        nn.ReLU(),
        nn.MaxPool2d(2, stride=1),
        nn.Flatten(),
        nn.Linear(12, 5, seed=seed + 2),
        nn.Sigmoid(),
        nn.Linear(5, 3, seed=seed + 3),
    )


def images(n, seed=1):
    rng = random.Random(seed)
    return [[[[rng.uniform(-1, 1) for _ in range(6)] for _ in range(6)]] for _ in range(n)]


def torch_grads(t):
    """torch's parameter gradients in chainrule's order: unit by unit, weights then bias."""
    out = []
    for m in t.modules():
        if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)):
            for w, b in zip(
                m.weight.grad.reshape(m.weight.shape[0], -1).tolist(), m.bias.grad.tolist()
            ):
                out += [*w, b]
    return out


def check_same(model, t, X, labels):
    """Loss, outputs, parameter gradients and input gradients agree between the two."""
    xs = (
        [[[[Value(v) for v in row] for row in ch] for ch in x] for x in X]
        if isinstance(X[0][0], list)
        else [[Value(v) for v in x] for x in X]
    )
    outs = [model(x) for x in xs]
    loss = nn.losses.cross_entropy(outs, labels)
    model.zero_grad()
    loss.backward()
    tx = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    tout = t(tx)
    tloss = torch.nn.functional.cross_entropy(tout, torch.tensor(labels))
    tloss.backward()
    close_lists([v.data for o in outs for v in o], tout.reshape(-1).tolist(), "outputs")
    close_lists([loss.data], [tloss.item()], "loss")
    close_lists([p.grad for p in model.parameters()], torch_grads(t), "parameter gradients")
    close_lists(
        [v.grad for v in nn.Flatten()._forward(xs)], tx.grad.reshape(-1).tolist(), "input gradients"
    )


def test_to_torch_cnn_agrees_in_outputs_and_every_gradient():
    model = cnn()
    t = nn.to_torch(model)
    assert all(p.dtype == torch.float64 for p in t.parameters())
    assert sum(p.numel() for p in t.parameters()) == model.num_parameters()
    check_same(model, t, images(3), [0, 2, 1])


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_to_torch_mlp_agrees_in_outputs_and_every_gradient(activation):
    model = nn.MLP(4, [6, 5, 3], activation=activation, seed=2)
    rng = random.Random(0)
    X = [[rng.uniform(-2, 2) for _ in range(4)] for _ in range(5)]
    check_same(model, nn.to_torch(model), X, [0, 1, 2, 1, 0])


def test_from_torch_takes_torch_s_own_weights():
    torch.manual_seed(0)
    t = torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3, padding=1),
        torch.nn.Tanh(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(18, 3),
    ).double()
    model = nn.from_torch(t)
    assert isinstance(model, nn.Sequential) and isinstance(model[0], nn.Conv2d)
    check_same(model, t, images(2, seed=3), [2, 0])


def test_from_torch_converts_a_float32_model_to_float64_weights():
    torch.manual_seed(1)
    t = torch.nn.Linear(3, 2)
    model = nn.from_torch(t)
    assert [p.data for p in model.parameters()] == [
        *t.weight[0].tolist(),
        t.bias[0].item(),
        *t.weight[1].tolist(),
        t.bias[1].item(),
    ]


def test_round_trips_keep_every_weight_exactly():
    model = cnn(4)
    back = nn.from_torch(nn.to_torch(model))
    assert back.state_dict() == model.state_dict()
    assert back._config() == model._config()
    mlp = nn.MLP(3, [4, 2], seed=0)
    again = nn.from_torch(nn.to_torch(mlp))
    assert [p.data for p in again.parameters()] == [p.data for p in mlp.parameters()]
    torch.manual_seed(0)
    t = torch.nn.Sequential(torch.nn.Conv2d(2, 3, (3, 2), stride=2), torch.nn.ReLU()).double()
    t2 = nn.to_torch(nn.from_torch(t))
    for a, b in zip(t.parameters(), t2.parameters()):
        assert torch.equal(a, b)


def test_weights_are_copies_not_shared():
    model = nn.Sequential(nn.Linear(2, 2, seed=0))
    t = nn.to_torch(model)
    with torch.no_grad():
        t[0].weight.fill_(9.0)
    assert all(p.data != 9.0 for p in model.parameters())


@pytest.mark.parametrize(
    "module, message",
    [
        (torch.nn.Dropout(0.5), "no chainrule layer for Dropout"),
        (
            torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Softmax(dim=1)),
            r"the model\[1\].*Softmax",
        ),
        (torch.nn.Linear(2, 2, bias=False), "without bias"),
        (torch.nn.Conv2d(2, 2, 3, groups=2), "groups=1"),
        (torch.nn.Conv2d(1, 1, 3, dilation=2), "dilation=1"),
        (torch.nn.Conv2d(1, 1, 3, padding="same"), "numeric zero padding"),
        (torch.nn.MaxPool2d(2, padding=1), "without padding"),
        (torch.nn.Flatten(0), "whole samples"),
    ],
)
def test_unsupported_torch_modules_are_a_type_error_naming_them(module, message):
    with pytest.raises(TypeError, match=message):
        nn.from_torch(module)


def test_an_unknown_chainrule_module_is_a_type_error():
    class Custom(nn.Module):
        pass

    with pytest.raises(TypeError, match="to_torch cannot convert Custom"):
        nn.to_torch(nn.Sequential(nn.ReLU(), Custom()))


def test_without_torch_the_error_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(ImportError, match="pip install torch"):
        nn.to_torch(nn.Linear(2, 2))
    with pytest.raises(ImportError, match="pip install torch"):
        nn.from_torch(object())


def test_importing_nn_does_not_import_torch():
    code = "import sys, nn; nn.Sequential(nn.Linear(2, 2)); assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
