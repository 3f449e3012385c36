"""Optimizers: SGD (with momentum, Nesterov, weight decay) and Adam, step for step as torch.optim,
and the LambdaLR schedule.

Each update is written in PyTorch's exact order of float operations (see torch/optim/sgd.py
and adam.py, single-tensor path), so parameter trajectories match torch's to rounding.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable

from autograd import Value


class Optimizer:
    """Holds the parameters (a list of Values) that step() updates from their .grad."""

    def __init__(self, params: Iterable[Value]) -> None:
        if hasattr(params, "parameters") and callable(params.parameters):
            raise TypeError(
                f"optimizer expects a list of parameters, got {type(params).__name__}; "
                "pass model.parameters()"
            )
        self.params: list[Value] = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list; pass model.parameters()")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(
                    f"optimizer params must be Values, got {type(p).__name__} at index {i}"
                )

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to 0 before the next backward()."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        raise NotImplementedError


def _check_non_negative(name: str, value: float) -> None:
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    if not value >= 0.0:  # also catches nan
        raise ValueError(f"Invalid {name}: {value} (must be >= 0)")


class SGD(Optimizer):
    """Stochastic gradient descent: p -= lr * d, where d is the gradient, optionally with
    weight decay (g + wd p) and momentum (buf = momentum buf + g; Nesterov:
    d = g + momentum buf)."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        _check_non_negative("learning rate", lr)
        _check_non_negative("momentum value", momentum)
        _check_non_negative("weight_decay value", weight_decay)
        if nesterov and momentum <= 0:
            raise ValueError(
                "Nesterov momentum requires a momentum (> 0); pass momentum=0.9 for example"
            )
        super().__init__(params)
        self.lr, self.momentum, self.nesterov, self.weight_decay = (
            lr,
            momentum,
            nesterov,
            weight_decay,
        )
        self._buffers: list[float | None] = [None] * len(self.params)

    def step(self) -> None:
        """One update of every parameter from its current .grad."""
        lr, momentum, wd = self.lr, self.momentum, self.weight_decay
        buffers = self._buffers
        for i, p in enumerate(self.params):
            d = p.grad
            if wd != 0:
                d = d + wd * p.data
            if momentum != 0:
                buf = buffers[i]
                buf = (
                    d if buf is None else buf * momentum + d
                )  # torch: dampening 0, first step copies
                buffers[i] = buf
                d = d + momentum * buf if self.nesterov else buf
            p.data = p.data + -lr * d


class Adam(Optimizer):
    """Adam (Kingma and Ba): per-parameter steps from running means of g and g^2,
    bias-corrected: p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        _check_non_negative("learning rate", lr)
        _check_non_negative("epsilon value", eps)
        if len(betas) != 2:
            raise ValueError(
                f"betas must be a pair (beta1, beta2) such as (0.9, 0.999), got {betas!r}"
            )
        beta1, beta2 = betas
        for i, beta in enumerate((beta1, beta2)):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta} (must be in [0, 1))")
        _check_non_negative("weight_decay value", weight_decay)
        super().__init__(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, (beta1, beta2), eps, weight_decay
        self.t = 0  # steps taken, for the bias correction
        self._m = [0.0] * len(self.params)  # running mean of g
        self._v = [0.0] * len(self.params)  # running mean of g^2

    def step(self) -> None:
        """One update of every parameter from its current .grad."""
        lr, eps, wd = self.lr, self.eps, self.weight_decay
        beta1, beta2 = self.betas
        self.t += 1
        bias_correction1 = 1 - beta1**self.t
        bias_correction2_sqrt = (1 - beta2**self.t) ** 0.5
        step_size = lr / bias_correction1
        w1, w2 = 1 - beta1, 1 - beta2
        m, v = self._m, self._v
        for i, p in enumerate(self.params):
            g = p.grad
            if wd != 0:
                g = g + wd * p.data
            # m.lerp_(g, 1 - beta1), with torch's two forms of lerp
            m[i] = m[i] + w1 * (g - m[i]) if w1 < 0.5 else g - (g - m[i]) * (1 - w1)
            v[i] = v[i] * beta2 + w2 * g * g  # v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
            denom = math.sqrt(v[i]) / bias_correction2_sqrt + eps
            p.data = p.data + -step_size * m[i] / denom  # p.addcdiv_(m, denom, value=-step_size)


class LambdaLR:
    """lr = base_lr * lr_lambda(t), as torch.optim.lr_scheduler.LambdaLR: construction sets
    lr_lambda(0), and each step() (after an optimizer step) moves to the next t.

    Keras's time-based `decay` is LambdaLR(opt, lambda t: 1 / (1 + decay * t)), stepped
    after every batch.
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float]) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                "LambdaLR expects an nn.optim optimizer (SGD or Adam), "
                f"got {type(optimizer).__name__}"
            )
        if not callable(lr_lambda):
            raise TypeError(
                f"lr_lambda must be a function of the step count, got {type(lr_lambda).__name__}"
            )
        self.optimizer, self.lr_lambda = optimizer, lr_lambda
        self.base_lr: float = optimizer.lr  # type: ignore[attr-defined]
        self.last_epoch = -1
        self.step()  # torch's _initial_step: lr = base_lr * lr_lambda(0)

    def step(self) -> None:
        """Advance t by one and set the optimizer's lr to base_lr * lr_lambda(t)."""
        self.last_epoch += 1
        lr = self.base_lr * self.lr_lambda(self.last_epoch)
        self.optimizer.lr = lr  # type: ignore[attr-defined]

    def get_last_lr(self) -> list[float]:
        """The lr the last step() set, in a list as torch returns one per parameter group."""
        return [self.optimizer.lr]  # type: ignore[attr-defined]
