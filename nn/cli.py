"""The `chainrule` command line: a thin argparse layer over autograd.expr, autograd.viz and nn.

It lives in nn, the upper package, because `demo` trains a network: autograd imports nothing
from nn, so the program that needs both sits on top of both.

`graph` draws an expression's graph (parsed safely, never eval-ed); `demo` trains two moons.
Exit status: 0 done, 1 the environment failed (no Graphviz, unwritable file), 2 a bad command.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import autograd
from autograd import Value, compile_graph, stepper, text_graph
from autograd.expr import FUNCTIONS, ExprError, build, parse_assignments
from autograd.viz import DEFAULT_MAX_NODES, FORMATS, INSTALL_HINT, RANKDIRS, render, to_svg

from . import data, optim, plot
from .layers import MLP
from .train import fit

PROG = "chainrule"


class _Failure(Exception):
    """A one-line error for the user, with the exit status to return."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive whole number, got {text!r}"
        ) from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {n}")
    return n


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="chainrule: scalar reverse-mode autodiff you can see.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {autograd.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    graph = commands.add_parser(
        "graph",
        help="draw an expression's computation graph with its gradients",
        description="Build EXPRESSION at the --at point, run backward and draw the graph.",
        epilog=(
            f"EXPRESSION uses numbers, variables, + - * / ** and the functions "
            f"{' '.join(FUNCTIONS)}; it is parsed, never executed. Start an expression that "
            f"begins with '-' with a space: \" -x*y\".  Example: "
            f'{PROG} graph "tanh(x*w + b)" --at x=1,w=-3,b=2 -o graph.svg'
        ),
    )
    graph.add_argument("expression", metavar="EXPRESSION", help='e.g. "tanh(x*w + b)"')
    graph.add_argument(
        "--at",
        action="append",
        default=[],
        metavar="NAME=NUMBER[,...]",
        help="values of the variables, e.g. x=1,w=-3,b=2 (may be repeated)",
    )
    graph.add_argument(
        "-o",
        "--output",
        default="-",
        metavar="PATH",
        help="file to write (.svg .png .pdf .dot), or - for stdout (default)",
    )
    graph.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: from the file extension; svg for stdout)",
    )
    graph.add_argument(
        "--rankdir",
        choices=RANKDIRS,
        default="LR",
        help="layout direction (default: LR, left to right)",
    )
    graph.add_argument(
        "--flow",
        action="store_true",
        help="label each edge with the gradient that flowed back along it",
    )
    graph.add_argument(
        "--no-grad",
        dest="show_grad",
        action="store_false",
        help="leave gradients out of the value boxes",
    )
    graph.add_argument(
        "--code",
        action="store_true",
        help="print the forward and backward as Python (autograd.compile) instead",
    )
    graph.add_argument(
        "--max-nodes",
        type=_positive_int,
        default=DEFAULT_MAX_NODES,
        metavar="N",
        help=f"refuse graphs with more value nodes (default: {DEFAULT_MAX_NODES})",
    )
    graph.add_argument(
        "--steps",
        action="store_true",
        help="write the backward pass as an HTML page to step through "
        "(Prev / Next / Play), e.g. -o steps.html",
    )
    graph.add_argument(
        "--text",
        action="store_true",
        help="print the graph as an indented text tree instead of a picture "
        "(needs no Graphviz; --no-grad and --max-nodes apply)",
    )
    graph.set_defaults(run=_graph)

    demo = commands.add_parser(
        "demo",
        help="train a small classifier on two moons and draw the results",
        description="Train an MLP on two moons; write decision_boundary.png, loss.png and "
        "neuron.svg.",
    )
    demo.add_argument(
        "--out",
        default="chainrule-demo",
        metavar="DIR",
        help="directory for the pictures (default: ./chainrule-demo)",
    )
    demo.add_argument(
        "--epochs",
        type=_positive_int,
        default=100,
        metavar="N",
        help="training epochs (default: 100)",
    )
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(run=_demo)
    return parser


def _format_of(output: str, requested: str | None) -> str:
    if requested:
        return requested
    if output == "-":
        return "svg"
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise _Failure(
            f"cannot tell the format of {output!r} from its extension; "
            f"use .svg .png .pdf .dot or --format",
            2,
        )
    return suffix


def _write(output: str, data: bytes) -> None:
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        Path(output).write_bytes(data)
    except OSError as e:
        raise _Failure(f"cannot write {output!r}: {e.strerror or e}", 1) from None


def _build(args: argparse.Namespace) -> Value:
    """The expression's graph at the --at point (backward not yet run)."""
    return _build_with_leaves(args)[0]


def _build_with_leaves(args: argparse.Namespace) -> tuple[Value, dict[str, Value]]:
    try:
        variables: dict[str, float] = {}
        for text in args.at:
            parse_assignments(text, into=variables)
        return build(args.expression, variables)
    except ExprError as e:
        raise _Failure(str(e), 2) from None


def _graph_code(args: argparse.Namespace) -> int:
    """`graph --code`: the forward and backward as generated Python, and what they give."""
    out, leaves = _build_with_leaves(args)
    names = list(leaves)
    c = compile_graph(out, list(leaves.values()), names=names, title=args.expression)
    value, grads = c([v.data for v in leaves.values()])
    at = ", ".join(f"{n}={v.data!r}" for n, v in leaves.items())
    result = "".join(f"\n#   d/d{n} = {g!r}" for n, g in zip(names, grads))
    text = f"{c.source}\n# forward_backward({at}):\n#   value = {value!r}{result}\n"
    _write(args.output, text.encode("utf-8"))
    return 0


def _graph_steps(args: argparse.Namespace) -> int:
    """`graph --steps`: the stepper page (it runs backward itself) as one HTML file."""
    if args.format is not None:
        raise _Failure("--steps writes an HTML page; leave out --format", 2)
    out = _build(args)
    try:
        page = stepper(out, rankdir=args.rankdir, max_nodes=args.max_nodes)
    except ValueError as e:  # over the node cap
        raise _Failure(str(e), 2) from None
    except RuntimeError as e:  # no Graphviz, or dot failed
        raise _Failure(str(e), 1) from None
    if args.output == "-":
        _write("-", page.page().encode("utf-8"))
        return 0
    try:
        page.save(args.output)
    except OSError as e:
        raise _Failure(f"cannot write {args.output!r}: {e.strerror or e}", 1) from None
    print(f"wrote {args.output} ({len(page)} steps)")
    return 0


def _graph_text(args: argparse.Namespace) -> int:
    """`graph --text`: text_graph to stdout or a file; no Graphviz involved."""
    out = _build(args)
    out.backward()
    try:
        text = text_graph(out, show_grad=args.show_grad, max_nodes=args.max_nodes)
    except ValueError as e:  # over the node cap
        raise _Failure(str(e), 2) from None
    _write(args.output, (text + "\n").encode("utf-8"))
    if args.output != "-":
        print(f"wrote {args.output}")
    return 0


def _graph(args: argparse.Namespace) -> int:
    if args.steps:
        return _graph_steps(args)
    if args.text:
        return _graph_text(args)
    if args.code:
        return _graph_code(args)
    fmt = _format_of(args.output, args.format)
    out = _build(args)
    out.backward()
    try:
        data = render(
            out,
            fmt,
            rankdir=args.rankdir,
            show_grad=args.show_grad,
            show_flow=args.flow,
            max_nodes=args.max_nodes,
        )
    except ValueError as e:  # over the node cap
        raise _Failure(str(e), 2) from None
    except RuntimeError as e:  # no Graphviz, or dot failed
        raise _Failure(str(e), 1) from None
    _write(args.output, data)
    if args.output != "-":
        print(f"wrote {args.output}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    if shutil.which("dot") is None:  # fail before training, not after
        raise _Failure(INSTALL_HINT, 1)
    os.environ.setdefault("MPLBACKEND", "Agg")  # files only: no display needed
    import matplotlib.pyplot as plt  # lazy: `chainrule graph` stays quick to start

    X, y = data.moons(100, noise=0.1, seed=1)
    model = MLP(2, [16, 16, 1], seed=0)
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    history = fit(
        model, X, y, loss="hinge", optimizer=optimizer, epochs=args.epochs, quiet=args.quiet
    )
    print(
        f"accuracy {history.accuracy[-1]:.1%} after {args.epochs} epochs "
        f"(final loss {history.loss[-1]:.4f})"
    )

    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        plt.close(plot.decision_boundary(model, X, y, path=str(out / "decision_boundary.png")))
        print(f"wrote {out / 'decision_boundary.png'}")
        plt.close(plot.loss_curve(history, path=str(out / "loss.png")))
        print(f"wrote {out / 'loss.png'}")
        neuron = model.layers[0].neurons[0]
        activation = neuron(list(X[0]))
        activation.backward()
        (out / "neuron.svg").write_text(to_svg(activation, show_flow=True), encoding="utf-8")
        print(f"wrote {out / 'neuron.svg'}")
    except OSError as e:
        raise _Failure(f"cannot write into {str(out)!r}: {e.strerror or e}", 1) from None
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the `chainrule` command with argv (default: sys.argv[1:]); return the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        return args.run(args)
    except SystemExit as e:  # argparse: --help and --version (0), usage errors (2)
        return e.code if isinstance(e.code, int) else 1
    except _Failure as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return e.status
    except BrokenPipeError:  # `chainrule graph ... | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
