"""README.md stays true: its REPL examples run as doctests, its commands are the CI's."""

from __future__ import annotations

import doctest
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_python_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert blocks, "README has no python example"
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for i, block in enumerate(blocks):
        test = parser.get_doctest(block, {}, f"README block {i}", "README.md", 0)
        runner.run(test)
    assert runner.failures == 0, f"{runner.failures} README example(s) print something else"
    assert runner.tries > 0


def test_readme_scripts_run(tmp_path, monkeypatch) -> None:
    """Python blocks without a prompt are scripts: they must run and make the files they name."""
    scripts = [b for b in re.findall(r"```python\n(.*?)```", README, flags=re.S) if ">>>" not in b]
    assert scripts, "README has no script example"
    monkeypatch.chdir(tmp_path)
    for script in scripts:
        exec(compile(script, "README.md", "exec"), {"__name__": "__readme__"})
    for name in re.findall(r'path="([^"]+)"', "".join(scripts)):
        assert (tmp_path / name).stat().st_size > 0, name


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "ci:test" in ci and "README.md" in ci
    command = re.search(r"<!-- ci:test -->\n```\n(.+?)\n```\n<!-- /ci:test -->", README, re.S)
    assert (
        command and "pytest" in command.group(1) and "pip install -e '.[dev]'" in command.group(1)
    )
    steps = ["ruff check .", "ruff format --check .", "mypy", "-m pytest"]
    where = [command.group(1).find(step) for step in steps]
    assert -1 not in where and where == sorted(where), f"lint, format, types, then tests: {where}"
