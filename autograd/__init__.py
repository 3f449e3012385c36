"""chainrule's engine: scalar reverse-mode automatic differentiation.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> y = x * x + x.exp()
    >>> y.backward()
    >>> x.grad  # 2x + e^x
    11.38905609893065
"""

from __future__ import annotations

from .anomaly import detect_anomaly
from .backprop import Step, backward_steps, grad, topological_order
from .compile import Compiled, compile, compile_graph
from .fused import dot, dots, max_values, min_values, sum_values
from .grad_mode import is_grad_enabled, no_grad
from .higher import hessian
from .gradcheck import gradcheck, numeric_grad
from .value import Value
from .viz import draw_dot, to_svg

__version__ = "0.1.0"

__all__ = [
    "Value",
    "no_grad",
    "is_grad_enabled",
    "grad",
    "hessian",
    "compile",
    "compile_graph",
    "Compiled",
    "numeric_grad",
    "gradcheck",
    "detect_anomaly",
    "backward_steps",
    "Step",
    "topological_order",
    "dot",
    "dots",
    "sum_values",
    "max_values",
    "min_values",
    "draw_dot",
    "to_svg",
]
