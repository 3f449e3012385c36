"""stepper in a real browser (headless Debian chromium driven by playwright): the counter,
Prev / Next / Play and the arrow keys; the grads shown at every step against backward_steps;
the last step against draw_dot after backward(); no network, no console errors; a node used
twice, a 61-node MLP, two steppers on one page, a phone-width screen, `graph --steps`.

These tests fail, never skip, when chromium or playwright is missing: install them with
`apt-get install chromium` and `pip install -e '.[dev]'`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import Page, sync_playwright

import nn
from autograd import Value, backward_steps, draw_dot, stepper, topological_order

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = ("file:", "data:", "about:")

# what the page shows: each drawn value box's last text (its grad), each edge label, classes
STATE_JS = """root => {
  const out = {boxes: {}, edges: {}, current: [], done: []};
  for (const g of root.querySelectorAll("g.node")) {
    const name = g.querySelector("title").textContent;
    const texts = g.querySelectorAll("text");
    if (name[0] === "v") out.boxes[name] = texts[texts.length - 1].textContent;
    if (g.classList.contains("current")) out.current.push(name);
    if (g.classList.contains("done")) out.done.push(name);
  }
  for (const g of root.querySelectorAll("g.edge")) {
    const t = g.querySelector("text");
    if (t) out.edges[g.id] = t.textContent;
  }
  out.counter = root.querySelector("[data-role=counter]").textContent;
  out.caption = root.querySelector("[data-role=caption]").textContent;
  return out;
}"""


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"no browser at {CHROMIUM}: install Debian's chromium (apt-get install "
            f"chromium) or point CHROMIUM at one"
        )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _watched(context) -> Page:
    """A page that records every request off this machine and every console error."""
    pg = context.new_page()
    pg.outside, pg.errors = [], []
    pg.on("request", lambda r: None if r.url.startswith(LOCAL) else pg.outside.append(r.url))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    return pg


@pytest.fixture
def page(browser):
    """A watched page: the test fails if it reached the network or logged an error."""
    context = browser.new_context(viewport={"width": 900, "height": 700})
    pg = _watched(context)
    yield pg
    assert pg.outside == [], f"the page asked the network for {pg.outside}"
    assert pg.errors == [], f"console errors: {pg.errors}"
    context.close()


def _shared_weight():
    x, w = Value(1.5, label="x"), Value(0.8, label="w")
    z = w * x
    z.label = "z"
    h = z.tanh()
    h.label = "h"
    o = w * h
    o.label = "o"
    return o


def _fmt4(x: float) -> str:
    return "0" if x == 0 else f"{x:.4g}"


def _open(page: Page, root: Value, tmp_path) -> dict:
    path = tmp_path / "steps.html"
    stepper(root).save(path)
    page.goto(path.as_uri())
    return _state(page)


def _state(page: Page, nth: int = 0) -> dict:
    return page.locator("div.chainrule-stepper").nth(nth).evaluate(STATE_JS)


def _expected(build) -> list[dict[str, str]]:
    """For k = 0..N, each box's text, computed from backward_steps on a fresh graph."""
    root = build()
    index = {node: i for i, node in enumerate(topological_order(root))}
    steps = list(backward_steps(root))
    views = []
    for k in range(len(steps) + 1):
        boxes = {f"v{index[s.node]}": "grad ?" for s in steps}
        for j, s in enumerate(steps):
            if j < k or j == 0:
                boxes[f"v{index[s.node]}"] = f"grad {_fmt4(s.grad)}"
        views.append(
            {
                "boxes": boxes,
                "current": [f"v{index[steps[k - 1].node]}"] if k else [],
                "done": sorted(f"v{index[s.node]}" for s in steps[: max(0, k - 1)]),
            }
        )
    return views


def _draw_dot_grads(root: Value) -> dict[str, str]:
    """Each box's grad text as draw_dot writes it, read from the DOT source."""
    return {
        name: f"grad {g}"
        for name, g in re.findall(r'\b(v\d+) \[label="[^"]*grad ([^ "|}]+)', draw_dot(root).source)
    }


def test_the_watch_sees_a_request_and_a_script_error(browser):
    context = browser.new_context()
    pg = _watched(context)
    pg.set_content('<img src="http://198.51.100.1/x.png"><script>undefined_name()</script>')
    assert pg.outside == ["http://198.51.100.1/x.png"]
    assert any("undefined_name" in e for e in pg.errors), pg.errors
    context.close()


def test_counter_next_and_prev_stay_put_at_the_ends(page, tmp_path):
    assert _open(page, _shared_weight(), tmp_path)["counter"] == "0 / 5"
    page.click("[data-action=prev]")
    assert _state(page)["counter"] == "0 / 5"
    for k in range(1, 6):
        page.click("[data-action=next]")
        assert _state(page)["counter"] == f"{k} / 5"
    page.click("[data-action=next]")
    assert _state(page)["counter"] == "5 / 5"
    page.click("[data-action=prev]")
    assert _state(page)["counter"] == "4 / 5"


def test_every_step_shows_backward_steps_grads_and_lights_the_current_node(page, tmp_path):
    expected = _expected(_shared_weight)
    state = _open(page, _shared_weight(), tmp_path)
    for k, want in enumerate(expected):
        assert state["boxes"] == want["boxes"], f"step {k}"
        assert state["current"] == want["current"], f"step {k}"
        assert sorted(n for n in state["done"] if n[0] == "v") == want["done"], f"step {k}"
        if k:
            assert state["caption"] and any(c.isdigit() for c in state["caption"])
        page.click("[data-action=next]")
        state = _state(page)


def test_before_the_first_step_no_leaf_grad_is_shown(page, tmp_path):
    state = _open(page, _shared_weight(), tmp_path)
    assert state["boxes"]["v4"] == "grad 1", "the root's seed is shown"
    shown = {name: text for name, text in state["boxes"].items() if name != "v4"}
    assert all(text == "grad ?" for text in shown.values()), shown
    assert all(text == "" for text in state["edges"].values()), "no edge has carried anything"
    assert "seed 1" in state["caption"]


def test_the_last_step_shows_what_draw_dot_shows_after_backward(page, tmp_path):
    _open(page, _shared_weight(), tmp_path)
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    state = _state(page)
    ref = _shared_weight()
    ref.backward()
    assert state["counter"] == "5 / 5"
    assert state["boxes"] == _draw_dot_grads(ref)
    assert sorted(state["edges"].values()) == sorted(["0.8337", "0.8", "0.244", "0.366", "0.1952"])


def test_arrow_keys_step_both_ways(page, tmp_path):
    _open(page, _shared_weight(), tmp_path)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert _state(page)["counter"] == "2 / 5"
    page.keyboard.press("ArrowLeft")
    assert _state(page)["counter"] == "1 / 5"
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    assert _state(page)["counter"] == "0 / 5"


def test_play_runs_to_the_last_step_and_stops(page, tmp_path):
    _open(page, _shared_weight(), tmp_path)
    page.select_option("[data-role=speed]", label="fastest")
    page.click("[data-action=play]")
    page.wait_for_function(
        "document.querySelector('[data-action=play]').textContent === 'Play'", timeout=10000
    )
    state = _state(page)
    assert state["counter"] == "5 / 5"
    page.wait_for_timeout(300)  # several ticks at the fastest speed: still at the end
    assert _state(page)["counter"] == "5 / 5"
    ref = _shared_weight()
    ref.backward()
    assert state["boxes"] == _draw_dot_grads(ref)


def test_a_node_used_twice_gets_both_edges_labelled(page, tmp_path):
    x = Value(3.0, label="x")
    _open(page, x * x + x, tmp_path)
    page.click("[data-action=next]")
    page.click("[data-action=next]")
    state = _state(page)
    assert state["current"] == ["v1"]
    assert sorted(state["edges"].values()) == ["1", "1", "3", "3"]  # + sent 1 and 1 first
    page.click("[data-action=next]")
    assert _state(page)["boxes"]["v0"] == "grad 7"


def _mlp_loss():
    model = nn.MLP(3, [4, 4, 1], seed=0)
    return nn.losses.mse([model([0.5, -1.0, 2.0])], [1.0])


def test_a_61_node_mlp_steps_through_to_draw_dots_grads(page, tmp_path):
    expected = _expected(_mlp_loss)
    assert len(expected) == 62
    state = _open(page, _mlp_loss(), tmp_path)
    for k in (0, 1, 2, 30, 61):
        while int(state["counter"].split(" / ")[0]) < k:
            page.keyboard.press("ArrowRight")
            state = _state(page)
        assert state["boxes"] == expected[k]["boxes"], f"step {k}"
    ref = _mlp_loss()
    ref.backward()
    assert state["boxes"] == _draw_dot_grads(ref)


def test_on_a_phone_the_graph_fits_the_width(browser):
    context = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True)
    page = context.new_page()
    page.set_content(stepper(_mlp_loss()).page())
    width = page.evaluate("document.querySelector('svg').getBoundingClientRect().width")
    assert 300 < width <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_two_steppers_in_one_notebook_page_step_independently(page):
    fragments = stepper(_shared_weight()).html + stepper(Value(2.0, label="t").exp()).html
    page.set_content(f"<html><body>{fragments}</body></html>")
    page.locator("[data-action=next]").nth(0).click()
    page.keyboard.press("ArrowRight")  # the focused stepper takes the key
    assert _state(page, 0)["counter"] == "2 / 5"
    assert _state(page, 1)["counter"] == "0 / 2"
    page.locator("[data-action=next]").nth(1).click()
    assert _state(page, 1)["current"] == ["v1"] and _state(page, 0)["counter"] == "2 / 5"


def test_the_command_line_steps_page_behaves_the_same(page, tmp_path):
    cli = [sys.executable, "-m", "nn.cli", "graph", "tanh(x*w + b)", "--at", "x=1,w=-3,b=2"]
    done = subprocess.run(
        [*cli, "--steps", "-o", "steps.html"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    dot = subprocess.run(
        [*cli, "-o", "graph.dot"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert dot.returncode == 0, dot.stderr
    page.goto((tmp_path / "steps.html").as_uri())
    assert _state(page)["counter"] == "0 / 6"
    for _ in range(8):
        page.click("[data-action=next]")
    state = _state(page)
    assert state["counter"] == "6 / 6"
    grads = dict(
        re.findall(r'\b(v\d+) \[label="[^"]*(grad [^ "|}]+)', (tmp_path / "graph.dot").read_text())
    )
    assert state["boxes"] == grads and len(grads) == 6


def test_a_notebook_cell_ending_in_a_stepper_shows_html_that_works(page, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    from tests.test_notebooks import kernel_env

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "from autograd import Value, stepper\nx = Value(3.0, label='x')\nstepper(x * x + x)"
            )
        ]
    )
    NotebookClient(nb, timeout=120, kernel_name="python3").execute(
        env=kernel_env(), cwd=str(tmp_path)
    )
    shown = nb.cells[0].outputs[0]["data"]
    assert "text/html" in shown, f"the cell showed only {sorted(shown)}"
    page.set_content(f"<html><body><p>a notebook</p>{shown['text/html']}</body></html>")
    assert _state(page)["counter"] == "0 / 3"
    page.click("[data-action=next]")
    assert _state(page)["current"] == ["v2"]
