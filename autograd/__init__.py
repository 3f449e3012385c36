"""chainrule's engine: scalar reverse-mode automatic differentiation.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = x * x + x.exp()
>>> y.backward()
>>> x.grad  # 2x + e^x
11.38905609893065
"""

from __future__ import annotations

from .anomaly import detect_anomaly, register_library
from .backprop import Step, backward_steps, grad, topological_order
from .compile import Compiled, compile, compile_graph
from .fused import dot, dots, max_values, min_values, sum_values
from .grad_mode import is_grad_enabled, no_grad
from .gradcheck import gradcheck, numeric_grad
from .higher import hessian
from .stepper import stepper
from .textgraph import text_graph
from .value import Value, as_float
from .viz import draw_dot, to_svg

__version__ = "0.1.0"

__all__ = [
    "Value",
    "as_float",
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
    "register_library",
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
    "stepper",
    "text_graph",
]
