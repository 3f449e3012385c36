"""The one table of command-line input that `chainrule graph` refuses: expressions and --at text.

tests/autograd/test_expr.py checks every row against the parser in process (the message, its
column, one line); tests/test_cli.py runs the rows that carry a payload through the real
command as a smoke test (exit status 2, the parser's message, nothing run, nothing written).
In a row, MARK stands for the path of a file that a payload would create if it ran.
"""

from __future__ import annotations

from typing import NamedTuple

from autograd.expr import MAX_LENGTH

AT = "x=1,w=-3,b=2"  # the --at text of a row that is not about --at itself


class Refused(NamedTuple):
    """One refused input: the expression, the --at text, and the start of the message and
    words it must contain ("column 5: ..." for the expression, "--at column 5: ..." for --at)."""

    expression: str
    at: str
    where: str
    words: str

    @property
    def is_payload(self) -> bool:
        """The row would touch the file system if anything in it ran."""
        return "MARK" in self.expression

    def id(self) -> str:
        text = self.expression if self.at == AT else f"{self.expression} --at {self.at}"
        return text if len(text) <= 30 else text[:27] + "..."


def _row(expression: str, column: int, words: str, at: str = AT) -> Refused:
    return Refused(expression, at, f"column {column}: ", words)


def _at(text: str, column: int, words: str) -> Refused:
    return Refused("x", text, f"--at column {column}: ", words)


REFUSED = [
    # payloads: code that would run if the expression were executed rather than parsed
    _row(
        "__import__('os').system('touch MARK')",
        1,
        "call to \"__import__('os').system\" is not allowed; the functions are exp",
    ),
    _row("open('MARK', 'w').write('x')", 1, 'call to "open('),
    _row("exec(\"open('MARK', 'w')\")", 1, "call to 'exec'"),
    _row("(lambda: open('MARK', 'w'))()", 2, 'call to "lambda: open('),
    _row("[open('MARK', 'w') for _ in 'a']", 1, "comprehension"),
    _row('f\'{open("MARK", "w")}\'', 1, "f-string"),
    _row("'MARK'", 1, "string"),
    # Python that is not an expression of Values
    _row("x.y", 1, "attribute access 'x.y' is not allowed"),
    _row("x.__class__.__bases__", 1, "attribute access 'x.__class__.__bases__'"),
    _row("x + w.__class__", 5, "attribute access 'w.__class__'"),
    _row("x[0]", 1, "subscript 'x[0]'"),
    _row("tanh(x)[0]", 1, "subscript"),
    _row("foo(x)", 1, "call to 'foo'"),
    _row("sinh(x)", 1, "call to 'sinh'"),
    _row("exp(x)(w)", 1, "call to 'exp(x)'"),
    _row("exp(x, w)", 1, "exp() takes exactly one argument, got 2"),
    _row("exp()", 1, "exp() takes exactly one argument, got 0"),
    _row("exp(x=1)", 5, "keyword argument 'x=1'"),
    _row("exp(x, base=2)", 8, "keyword argument 'base=2'"),
    _row("exp(*x)", 5, "starred argument '*x'"),
    _row("lambda: 1", 1, "lambda 'lambda: 1' is not allowed"),
    _row("[i for i in x]", 1, "comprehension"),
    _row("(i for i in x)", 1, "generator expression"),
    _row("'abc'", 1, "string \"'abc'\" is not allowed"),
    _row("x + b'abc'", 5, "string"),
    _row("f'{x}'", 1, "f-string"),
    _row("x < w", 1, "comparison 'x < w'"),
    _row("x and w", 1, "boolean operator"),
    _row("not x", 1, "operator 'not'"),
    _row("~x", 1, "operator '~'"),
    _row("x % w", 1, "operator '%' in 'x % w' is not allowed (use + - * / **)"),
    _row("x // w", 1, "operator '//'"),
    _row("x @ w", 1, "operator '@'"),
    _row("(y := 2)", 2, "assignment expression"),
    _row("x + (y := 3)", 6, "assignment expression"),
    _row("x if w else b", 1, "conditional expression"),
    _row("(x, w)", 1, "tuple"),
    _row("[x]", 1, "list"),
    _row("{x: 1}", 1, "dict"),
    _row("True * x", 1, "boolean 'True'"),
    _row("None", 1, "constant 'None'"),
    _row("1j * x", 1, "complex number '1j'"),
    _row("z * x", 1, "unknown variable 'z'; give it a value with --at z=NUMBER"),
    _row("exp", 1, "function 'exp' must be called"),
    _row("x + exp", 5, "function 'exp' must be called"),
    # statements and broken syntax
    _row("import os", 1, "invalid syntax"),
    _row("x; import os", 2, "invalid syntax at '; import os'"),
    _row("x = 1", 3, "invalid syntax"),
    _row("tanh(x", 5, "'(' was never closed"),
    _row("x +", 4, "ends too early"),
    _row("", 1, "the expression is empty"),
    _row("   x.y", 4, "attribute access 'x.y'"),
    _row("é + ñ.y", 5, "attribute access 'ñ.y'", at="é=1,ñ=2"),
    _row("(x +\n w.y)", 7, "attribute access 'w.y'"),
    _row("x\0", 2, "null bytes"),
    # sizes: refused before Python's parser could recurse or run out of memory
    _row("-" * 5000 + "x", 1, "nested too deeply"),
    _row("x" + "+x" * 4000, 1, "(or too long) for Python's parser"),
    _row("(" * 300 + "x" + ")" * 300, 201, "too many nested parentheses"),
    _row("x" * (MAX_LENGTH + 1), 1, f"{MAX_LENGTH + 1} characters long; the limit is {MAX_LENGTH}"),
    # the --at text
    _at("x", 1, "'x' is not NAME=NUMBER"),
    _at("x=1,,w=2", 5, "'' is not NAME=NUMBER"),
    _at("x=1,", 5, "'' is not NAME=NUMBER"),
    _at("=3", 1, "is not NAME=NUMBER"),
    _at("x=", 1, "is not NAME=NUMBER"),
    _at("x=1,w=abc", 7, "'abc' is not a number"),
    _at("x=0x10", 3, "is not a number"),
    _at("x=1,x=2", 5, "variable 'x' is given twice"),
    _at("1x=2", 1, "'1x' is not a variable name"),
    _at("if=2", 1, "'if' is not a variable name"),
    _at("x.y=2", 1, "is not a variable name"),
    _at("exp=2", 1, "'exp' is a function, not a variable name"),
]
