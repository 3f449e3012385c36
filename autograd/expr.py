"""The expression language of `chainrule graph`: parsed with ast, checked against a whitelist,
then built into Values by a small interpreter. Nothing is ever eval-ed or executed: numbers,
variable names, + - * / **, unary - and +, and calls to FUNCTIONS (the op table's ops that
name a `cli` function) are all there is.
"""

from __future__ import annotations

import ast
import keyword
import re
import unicodedata
from collections.abc import Mapping

from . import fused
from .grad_mode import no_grad
from .ops import OPS, Op
from .value import Value, as_float

__all__ = ["FUNCTIONS", "ExprError", "parse", "parse_assignments", "build"]

# the functions an expression may call: the op table's, by their command-line names
_OPS: dict[str, Op] = {op.cli: op for op in OPS.values() if op.cli}
FUNCTIONS = tuple(_OPS)
MAX_LENGTH = 10_000

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_OTHER_BINARY = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}
_OTHER_UNARY = {ast.Not: "not", ast.Invert: "~"}

# what to call a construct we refuse, by ast node type
_KINDS = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscript",
    ast.Slice: "slice",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "generator expression",
    ast.JoinedStr: "f-string",
    ast.FormattedValue: "f-string",
    ast.Compare: "comparison",
    ast.BoolOp: "boolean operator",
    ast.NamedExpr: "assignment expression",
    ast.IfExp: "conditional expression",
    ast.List: "list",
    ast.Tuple: "tuple",
    ast.Dict: "dict",
    ast.Set: "set",
    ast.Starred: "starred argument",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}

Operand = Value | float


class ExprError(ValueError):
    """A refused expression or --at list; str() is one line naming the text and its column."""

    def __init__(self, message: str, column: int, where: str = "") -> None:
        self.message, self.column, self.where = message, column, where
        prefix = f"{where} column {column}" if where else f"column {column}"
        super().__init__(f"{prefix}: {message}")


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _column(source: str, node: ast.AST) -> int:
    """1-based character position of node in the whole source (ast counts lines and bytes)."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", source)]  # Python's line ends
    line = source[starts[node.lineno - 1] :]
    before = line.encode("utf-8")[: node.col_offset].decode("utf-8", "replace")
    return starts[node.lineno - 1] + len(before) + 1


def _refuse(source: str, node: ast.AST, what: str, hint: str = "") -> ExprError:
    text = ast.get_source_segment(source, node) or ""
    return ExprError(f"{what} {_snippet(text)} is not allowed{hint}", _column(source, node))


def _syntax_error(source: str, err: SyntaxError) -> ExprError:
    column = err.offset if err.offset and err.offset > 0 else len(source) + 1
    if column > len(source):
        return ExprError(f"{_snippet(source)} ends too early: {err.msg}", column)
    return ExprError(f"{err.msg} at {_snippet(source[column - 1 :])}", column)


def _parse_tree(source: str) -> ast.expr:
    if len(source) > MAX_LENGTH:
        raise ExprError(
            f"the expression is {len(source)} characters long; the limit is {MAX_LENGTH}", 1
        )
    if not source.strip():
        raise ExprError("the expression is empty; try something like 'tanh(x*w + b)'", 1)
    if "\0" in source:  # Python 3.10 raises ValueError here, 3.11+ SyntaxError: one message
        column = source.find("\0") + 1
        raise ExprError(
            f"source code string cannot contain null bytes in {_snippet(source)}", column
        )
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as e:
        if e.offset is None:  # null bytes, digit limits: Python gives no position
            column = source.find("\0") + 1 or 1
            raise ExprError(f"{e.msg} in {_snippet(source)}", column) from None
        raise _syntax_error(source, e) from None
    except (MemoryError, RecursionError, ValueError):
        raise ExprError(_TOO_DEEP, 1) from None
    if _depth(tree) > MAX_DEPTH:  # what Python 3.11+'s parser refuses, refused on 3.10 too
        raise ExprError(_TOO_DEEP, 1)
    return tree


_TOO_DEEP = "the expression is nested too deeply (or too long) for Python's parser"
MAX_DEPTH = 2500  # Python 3.11-3.13 refuse an expression nested about 3000 deep; 3.10 does not


def _depth(tree: ast.AST) -> int:
    """How deep the tree goes, walked without recursion."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _check(source: str, node: ast.expr, variables: Mapping[str, float] | None) -> None:
    """Refuse node if it is outside the whitelist (its children are checked next)."""
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            raise _refuse(source, node, _constant_kind(node.value))
        return
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise ExprError(
                f"function {node.id!r} must be called, as in {node.id}(x)", _column(source, node)
            )
        if variables is not None and node.id not in variables:
            raise ExprError(
                f"unknown variable {node.id!r}; give it a value with --at {node.id}=NUMBER",
                _column(source, node),
            )
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            symbol = _OTHER_BINARY.get(type(node.op), type(node.op).__name__)
            raise _refuse(source, node, f"operator {symbol!r} in", " (use + - * / **)")
        return
    if isinstance(node, ast.UnaryOp):
        if type(node.op) not in _UNARY:
            symbol = _OTHER_UNARY.get(type(node.op), type(node.op).__name__)
            raise _refuse(source, node, f"operator {symbol!r} in", " (use - or +)")
        return
    if isinstance(node, ast.Call):
        _check_call(source, node)
        return
    raise _refuse(source, node, _KINDS.get(type(node), type(node).__name__))


def _constant_kind(value: object) -> str:
    if isinstance(value, (str, bytes)):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    return "complex number" if isinstance(value, complex) else "constant"


def _check_call(source: str, node: ast.Call) -> None:
    func = node.func
    if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
        name = ast.get_source_segment(source, func) or ""
        raise ExprError(
            f"call to {_snippet(name)} is not allowed; the functions are {', '.join(FUNCTIONS)}",
            _column(source, func),
        )
    if node.keywords:
        raise _refuse(source, node.keywords[0], "keyword argument")
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise _refuse(source, arg, "starred argument")
    op = _OPS[func.id]
    if op.arity < 0:  # max, min, sum: any number of operands
        if not node.args:
            raise ExprError(f"{func.id}() needs at least one argument", _column(source, node))
        return
    most = 1 + len(op.params)
    if not 1 <= len(node.args) <= most:
        takes = (
            "exactly one argument"
            if most == 1
            else (f"one argument and an optional number {op.params[0][0]}")
        )
        raise ExprError(f"{func.id}() takes {takes}, got {len(node.args)}", _column(source, node))
    for arg in node.args[1:]:
        if not isinstance(arg, ast.Constant) and not (
            isinstance(arg, ast.UnaryOp) and isinstance(arg.operand, ast.Constant)
        ):
            raise ExprError(
                f"{func.id}()'s {op.params[0][0]} must be a number, got "
                f"{_snippet(ast.get_source_segment(source, arg) or '')}",
                _column(source, arg),
            )


def parse(source: str, variables: Mapping[str, float] | None = None) -> ast.Expression:
    """The checked syntax tree of source; every name must be in variables when they are given.

    Raises:
        ExprError: anything outside the whitelist, with its text and column.
    """
    text = source.lstrip()  # Python would call leading blanks an indent
    try:
        body = _parse_tree(text)
        stack = [body]
        while stack:  # iterative, left to right: the first offence in reading order is reported
            node = stack.pop()
            _check(text, node, variables)
            stack.extend(reversed(_children(node)))
    except ExprError as e:
        raise ExprError(e.message, e.column + len(source) - len(text)) from None
    return ast.Expression(body=body)


def _name(text: str, column: int, where: str) -> str:
    name = unicodedata.normalize("NFKC", text.strip())  # as Python normalises identifiers
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ExprError(f"{_snippet(text)} is not a variable name", column, where)
    if name in FUNCTIONS:
        raise ExprError(f"{name!r} is a function, not a variable name", column, where)
    return name


def parse_assignments(text: str, into: dict[str, float] | None = None) -> dict[str, float]:
    """'x=1,w=-3' as {'x': 1.0, 'w': -3.0}, added to `into`; a name given twice is an error."""
    where = "--at"
    values = {} if into is None else into
    column = 1
    for item in text.split(","):
        name_text, eq, number = item.partition("=")
        if not eq or not name_text.strip() or not number.strip():
            message = f"{_snippet(item)} is not NAME=NUMBER (e.g. --at x=1,w=-3)"
            raise ExprError(message, column, where)
        name = _name(name_text, column, where)
        if name in values:
            raise ExprError(f"variable {name!r} is given twice", column, where)
        try:
            values[name] = float(number)
        except ValueError:
            at = column + len(name_text) + 1
            message = f"{_snippet(number)} is not a number (in {_snippet(item)})"
            raise ExprError(message, at, where) from None
        column += len(item) + 1
    return values


def _constant(node: ast.Constant) -> float:
    return as_float(node.value)  # a huge int becomes inf rather than OverflowError


def _apply(node: ast.expr, args: list[Operand]) -> Operand:
    """One whitelisted node on its evaluated children; numbers alone stay numbers."""
    if not isinstance(node, ast.Call) and all(not isinstance(a, Value) for a in args):
        with no_grad():  # fold constants with the engine's IEEE arithmetic: no exceptions
            return _apply(node, [Value(a) for a in args]).data  # type: ignore[union-attr]
    if isinstance(node, ast.BinOp):
        a, b = args
        op = type(node.op)
        if op is ast.Add:
            return a + b
        if op is ast.Sub:
            return a - b
        if op is ast.Mult:
            return a * b
        if op is ast.Div:
            return a / b
        return a**b
    if isinstance(node, ast.UnaryOp):
        (a,) = args  # a Value: all-number arguments were folded above
        return -a if isinstance(node.op, ast.USub) else a
    op = _OPS[node.func.id]  # type: ignore[attr-defined]
    if op.arity < 0:
        out: Value = getattr(fused, op.function)(args)
    else:
        a, *params = args
        if not isinstance(a, Value):  # a number: fold it, as above
            with no_grad():
                return getattr(Value(a), op.method)(*params).data  # type: ignore[no-any-return]
        return getattr(a, op.method)(*params)  # type: ignore[no-any-return]
    return out if out.parents else out.data


def _children(node: ast.expr) -> list[ast.expr]:
    """The operands of a whitelisted node, left to right."""
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def build(source: str, variables: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """The graph of source with each variable a labelled leaf Value: (output, leaves by name).

    One leaf per name, so `x*x` is one node used twice. Raises ExprError like parse().
    """
    tree = parse(source, variables)
    leaves = {name: Value(data, label=name) for name, data in variables.items()}
    done: dict[ast.expr, Operand] = {}  # ast nodes hash by identity
    stack = [(tree.body, False)]
    while stack:  # post-order without recursion: children are evaluated first
        node, expanded = stack.pop()
        if isinstance(node, ast.Constant):
            done[node] = _constant(node)
        elif isinstance(node, ast.Name):
            done[node] = leaves[node.id]
        elif expanded:
            done[node] = _apply(node, [done[c] for c in _children(node)])
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(_children(node)))
    out = done[tree.body]
    return (out if isinstance(out, Value) else Value(out)), leaves
