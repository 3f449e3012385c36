"""chainrule's networks: neurons, layers and MLPs built from autograd Values, with losses,
optimizers, toy datasets, a training loop and plots.

    >>> import nn
    >>> X, y = nn.data.moons(100, noise=0.1, seed=1)
    >>> model = nn.MLP(2, [16, 16, 1], seed=0)
    >>> opt = nn.optim.Adam(model.parameters(), lr=0.05)
    >>> hist = nn.fit(model, X, y, loss="hinge", optimizer=opt)
"""

from __future__ import annotations

from autograd import register_library

from . import data, losses, optim, plot  # plot imports matplotlib only when it draws
from .bridge import from_torch, to_torch  # torch is imported only when they are called
from .images import Conv2d, MaxPool2d
from .layers import MLP, Layer, Neuron
from .module import Module
from .sequential import Flatten, Linear, ReLU, Sequential, Sigmoid, Tanh
from .train import History, fit

register_library(__name__)  # detect_anomaly names the user's line, not a line inside nn

__all__ = [
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "fit",
    "History",
    "losses",
    "optim",
    "data",
    "plot",
    "Linear",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "Flatten",
    "Sequential",
    "Conv2d",
    "MaxPool2d",
    "to_torch",
    "from_torch",
]
