"""The live view's and the quiz's Python side: page model, names, apply(), generated problems,
and the ``live``/``quiz`` commands' handling of bad input."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import microgrand as mg
from microgrand._format import format_fixed
from microgrand.cli import main
from microgrand.graph import Graph
from microgrand.pages.live import LiveTooLargeError, page_names, slider_range
from microgrand.pages.problems import LEVELS, describe, random_problem
from microgrand.rules import rules_js


def neuron() -> mg.Value:
    x, w, b = mg.Value(2.0, label="x"), mg.Value(-3.0, label="w"), mg.Value(6.88, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    return y


def _model(html: str) -> dict:
    m = re.search(r'<script type="application/json" class="mg-model">(.*?)</script>', html, re.S)
    assert m is not None
    return json.loads(m.group(1))["model"]


# --- the page model ----------------------------------------------------------------------------


def test_model_carries_the_graph_the_rules_and_the_leaves() -> None:
    view = mg.live(neuron())
    m = _model(view.html(uid="t"))
    assert m["kind"] == "live" and m["precision"] == 4
    nodes = m["engine"]["nodes"]
    g = Graph.of(view.root)
    assert [n["id"] for n in nodes] == [n.id for n in g.nodes]
    assert [n["op"] for n in nodes] == [n.op for n in g.nodes]
    assert [n["inputs"] for n in nodes] == [list(n.inputs) for n in g.nodes]
    # only the rules the graph uses, exactly as rules_js() gives them
    assert m["rules"] == {k: rules_js()[k] for k in ("add", "mul", "tanh")}
    assert [(leaf["name"], leaf["value"], leaf["editable"]) for leaf in m["leaves"]] == [
        ("x", 2.0, True),
        ("w", -3.0, True),
        ("b", 6.88, True),
    ]
    for leaf in m["leaves"]:
        assert leaf["min"] < leaf["value"] < leaf["max"] and leaf["min"] <= 0 <= leaf["max"]
    # the gradients in the model are those of one clean backward pass (Values untouched)
    y = neuron()
    y.backward()
    want = {n.label or n.id: n.grad for n in Graph.of(y).nodes}
    got = {n["name"]: n["grad"] for n in m["graph"]["nodes"]}
    assert got["x"] == want["x"] and got["w"] == want["w"] and got["y"] == 1.0
    assert view.root.grad == 0.0


def test_forms_word_the_chain_rule_with_node_names() -> None:
    m = mg.live(neuron()).model()
    forms = m["forms"]
    names = {n["id"]: n["name"] for n in m["graph"]["nodes"]}
    mul = next(i for i, n in names.items() if n == "x·w")
    assert forms[mul]["forward"] == [0, " × ", 1]
    assert [e["symbol"] for e in forms[mul]["edges"]] == [
        "dy/d(x·w) · ∂(x·w)/∂x",
        "dy/d(x·w) · ∂(x·w)/∂w",
    ]
    assert [e["worded"] for e in forms[mul]["edges"]] == ["w", "x"]
    tanh = next(i for i, n in names.items() if n == "y")
    assert forms[tanh]["edges"][0]["worded"] == "(1 − y²)"


def test_constants_are_editable_on_request() -> None:
    x = mg.Value(1.5, label="x")
    assert mg.live(x * 2).leaves == ["x"]
    assert mg.live(x * 2, constants=True).leaves == ["x", "c"]


def test_names_are_unique_and_match_the_diagram() -> None:
    x = mg.Value(2.0, label="x")
    root = x * x + x * x
    view = mg.live(root)
    names = list(view.names.values())
    assert len(names) == len(set(names))
    svg = view.html(uid="u")
    for name in names:
        assert f'data-node=\\"{name}\\"' in svg or f'data-node="{name}"' in svg


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_slider_range_holds_the_value_and_zero(x: float) -> None:
    lo, hi = slider_range(x)
    assert lo < x < hi and lo <= 0 <= hi and lo == -hi
    mantissa = hi / 10 ** math.floor(math.log10(hi))
    assert round(mantissa, 9) in (1.0, 2.0, 5.0)
    assert hi <= 10 * max(1.0, abs(x))


def test_page_names_follow_the_trace() -> None:
    y = neuron()
    t = mg.trace(y)
    names = page_names(Graph.of(y))
    assert {s.id: s.name for s in t.steps} == names


def test_draw_options_are_checked() -> None:
    with pytest.raises(ValueError, match="worksheet"):
        mg.live(neuron(), worksheet=True)
    with pytest.raises(TypeError, match="unknown option"):
        mg.live(neuron(), colour="grad")
    with pytest.raises(LiveTooLargeError, match="max_nodes=6"):
        mg.live(neuron(), max_nodes=5)
    with pytest.raises(TypeError, match="output Value"):
        mg.live(3.0)  # type: ignore[arg-type]


def test_fallback_is_a_picture_and_a_line() -> None:
    html = mg.live(neuron()).html(uid="f")
    assert '<img src="data:image/png;base64,' in html
    assert "Run this cell to drag the inputs and watch every value and gradient update." in html
    q = mg.quiz(neuron()).html(uid="q")
    assert "Run this cell to fill in the answers and check them." in q


# --- apply(): the page's numbers back into Python --------------------------------------------


def test_apply_recomputes_like_a_fresh_graph() -> None:
    y = neuron()
    view = mg.live(y)
    view.apply({"x": 1.0, "w": 0.5})
    fresh = (mg.Value(1.0) * mg.Value(0.5) + mg.Value(6.88)).tanh()
    fresh.backward()
    assert y.data == fresh.data
    g = Graph.of(y)
    assert g.node(g.root).value.grad == 1.0
    x = next(n.value for n in g.leaves if n.label == "x")
    assert x.grad == pytest.approx((1 - fresh.data**2) * 0.5, rel=1e-15)
    assert view.values == {"x": 1.0, "w": 0.5, "b": 6.88}


def test_apply_is_all_or_nothing_with_pythons_error() -> None:
    x = mg.Value(2.0, label="x")
    y = x.log() * 2
    view = mg.live(y)
    with pytest.raises(ValueError, match=r"log: log\(x\) is undefined for x = -1"):
        view.apply({"x": -1.0})
    assert x.data == 2.0 and y.data == math.log(2.0) * 2
    with pytest.raises(KeyError, match="no leaf named 'q'"):
        view.apply({"q": 1.0})


def test_widget_reports_values_where_anywidget_is_installed() -> None:
    pytest.importorskip("anywidget")
    view = mg.live(neuron())
    w = view.widget()
    assert "mg-live" in w.fragment
    w.values = {"x": 0.25, "w": -3.0, "b": 6.88}  # as the page's front end would
    assert view.values == {"x": 0.25, "w": -3.0, "b": 6.88}
    view.apply()
    assert view.root.data == math.tanh(0.25 * -3.0 + 6.88)


# --- the quiz ----------------------------------------------------------------------------------


def test_quiz_answers_are_the_engines_numbers() -> None:
    y = neuron()
    q = mg.quiz(y, ask="both")
    ref = neuron()
    ref.backward()
    g = Graph.of(ref)
    names = page_names(g)
    want_grad = {names[n.id]: n.grad for n in g.nodes if n.id != g.root}
    want_data = {names[n.id]: n.data for n in g.nodes if n.op}
    got = q.answers()
    assert {a["name"]: a["value"] for a in got if a["field"] == "grad"} == want_grad
    assert {a["name"]: a["value"] for a in got if a["field"] == "data"} == want_data
    assert y.grad == 0.0  # the Values are not changed


def test_quiz_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="ask must be"):
        mg.quiz(neuron(), ask="grads")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tolerance"):
        mg.quiz(neuron(), tolerance=0)


def test_quiz_worksheet_has_blanks_and_no_answers() -> None:
    q = mg.quiz(neuron(), ask="both")
    dot = q.diagram().dot
    assert "grad = ________" in dot and "data = ________" in dot
    assert "data = 2.0000" in dot  # the inputs are given
    assert "-6.0000" not in dot and "0.7064" not in dot
    key = q.answer_key().dot
    assert "data = 0.7064" in key


def test_quiz_without_reveal_shows_no_answer() -> None:
    """reveal=False: no Show answer, no answer key anywhere on the page; the numbers it checks
    against stay in the page model (documented as not secret)."""
    y = neuron()
    open_q = mg.quiz(y, ask="both")
    q = mg.quiz(y, ask="both", reveal=False)
    assert open_q.reveal is True and q.reveal is False

    def markup(view: Any) -> str:  # the view's markup (in the page's JSON), without its CSS
        html = view.html(uid="q")
        found = re.search(
            r'<script type="application/json" class="mg-model">(.*?)</script>', html, flags=re.S
        )
        assert found
        return re.sub(r"<style>.*?</style>", "", json.loads(found.group(1))["html"], flags=re.S)

    page = markup(q)
    assert 'data-action="show"' not in page and "Show answer" not in page
    assert "mg-key" not in page and "data-key" not in page and "Answer key" not in page
    assert 'data-action="check"' in page and 'data-action="hint"' in page
    assert 'data-action="show"' in markup(open_q) and "data-key" in markup(open_q)
    m = q.model()
    assert m["reveal"] is False and open_q.model()["reveal"] is True
    assert [a["value"] for a in m["answers"]] == [a["value"] for a in q.answers()]
    # the stored picture is the blank worksheet, as with reveal=True
    assert q.diagram().dot == open_q.diagram().dot
    assert "reveal=False" in repr(q)
    with pytest.raises(TypeError, match="reveal"):
        mg.quiz(y, reveal="no")  # type: ignore[arg-type]


# --- generated problems ------------------------------------------------------------------------


@pytest.mark.parametrize("difficulty", sorted(LEVELS))
def test_generated_problems_follow_their_level(difficulty: int) -> None:
    level = LEVELS[difficulty]
    for seed in range(12):
        root = random_problem(seed, difficulty)
        assert describe(root) == describe(random_problem(seed, difficulty))
        g = Graph.of(root)
        depth: dict[str, int] = {}
        for n in g.nodes:
            depth[n.id] = 1 + max((depth[i] for i in n.inputs), default=-1)
        assert level.depth <= depth[g.root] <= level.depth + 2
        ops = {n.op for n in g.nodes if n.op}
        allowed = {"square": "powc", "cube": "powc"}
        assert ops <= {allowed.get(o, o) for o in level.ops}
        assert sorted(n.label for n in g.leaves) == [chr(97 + i) for i in range(level.inputs)]
        uses = Counter(e.src for e in g.edges)
        twice = sum(1 for c in uses.values() if c > 1)
        if level.fanout:
            assert twice >= 1, describe(root)
        else:
            assert twice == 0
        # friendly numbers, and a gradient that sympy agrees with
        for leaf in g.leaves:
            assert (2 * leaf.data).is_integer() and leaf.data != 0
        root.backward()
        symbols = {n.label: sympy.Symbol(n.label) for n in g.leaves}
        expr = _sympy(g, symbols)
        for leaf in g.leaves:
            exact = float(
                sympy.diff(expr, symbols[leaf.label]).subs(
                    {symbols[v.label]: v.data for v in g.leaves}
                )
            )
            assert leaf.value.grad == pytest.approx(exact, rel=1e-9, abs=1e-12)


def _sympy(g: Graph, symbols: dict[str, sympy.Symbol]) -> sympy.Expr:
    env: dict[str, sympy.Expr] = {}
    for n in g.nodes:
        if n.rule is None:
            env[n.id] = symbols[n.label]
            continue
        xs = [env[i] for i in n.inputs]
        local = {"x": xs[0], "y": xs[1] if len(xs) > 1 else 0}
        env[n.id] = sympy.sympify(n.rule.sympy, locals={**local, "Max": sympy.Max})
    return env[g.root]


def test_generated_problems_differ_by_seed_and_refuse_bad_difficulty() -> None:
    assert len({describe(random_problem(s, 3)) for s in range(10)}) >= 8
    with pytest.raises(ValueError, match="difficulty must be one of 1, 2, 3, 4, 5"):
        random_problem(1, 9)
    with pytest.raises(TypeError):
        random_problem("1", 2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed must be an int from -10\\*\\*18 to 10\\*\\*18"):
        mg.quiz.random(seed=10**5000)
    with pytest.raises(ValueError, match="of 19 digits"):
        random_problem(-(10**18), 2)
    random_problem(10**18 - 1, 2)


# --- the commands ------------------------------------------------------------------------------


def test_cli_writes_the_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "live.html"
    assert main(["live", "tanh(x*w + b)", "x=2", "w=-3", "b=6.88", "-o", str(out)]) == 0
    m = _model(out.read_text(encoding="utf-8"))
    assert [leaf["name"] for leaf in m["leaves"]] == ["x", "w", "b"]
    q = tmp_path / "quiz.html"
    assert main(["quiz", "--random", "--seed", "3", "--difficulty", "2", "-o", str(q)]) == 0
    mq = _model(q.read_text(encoding="utf-8"))
    assert [a["value"] for a in mq["answers"]] == [
        a["value"] for a in mg.quiz.random(seed=3, difficulty=2).answers()
    ]
    assert main(["quiz", "x*y", "x=2", "y=3", "--ask", "data", "-o", str(q)]) == 0
    assert _model(q.read_text(encoding="utf-8"))["ask"] == "data"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["live", "tanh(x*w + q)", "x=2", "w=-3"], "unknown variable 'q'"),
        (["live", "x*2", "x=1", "z=3"], "z not in the expression"),
        (["live", "x*2", "x=abc"], "is not a number"),
        (["live", "x*2", "x=nan"], "finite number"),
        (["quiz", "--random", "--difficulty", "9"], "--difficulty must be from 1 to 5"),
        (["quiz", "--random", "--difficulty", "two"], "invalid int value"),
        (["quiz", "x*2", "x=1", "--tolerance", "2"], "--tolerance"),
        (["quiz", "--random", "x*2"], "give no EXPR"),
        (["quiz"], "give an expression"),
        (["live", "log(x)", "x=-1"], "log: log(x) is undefined for x = -1"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    out = tmp_path / "page.html"
    assert main([*argv, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("target", ["missing/page.html", "page.txt", "."])
def test_cli_bad_output_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    before = sorted(tmp_path.rglob("*"))
    path = str(tmp_path / target) if target != "." else str(tmp_path)
    assert main(["live", "x*2", "x=1", "-o", path]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("microgrand live: -o ")
    assert sorted(tmp_path.rglob("*")) == before


def test_cli_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        probe = locked / "probe"
        try:
            probe.write_text("x")
        except OSError:
            pass
        else:
            probe.unlink()
            pytest.skip("running as a user who can write into a read-only folder (root)")
        assert main(["quiz", "x*2", "x=1", "-o", str(locked / "q.html")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "not writable" in err
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_cli_output_the_system_refuses(capsys: pytest.CaptureFixture[str]) -> None:
    # /proc refuses new files even for root: the write itself fails
    assert main(["live", "x*2", "x=1", "-o", "/proc/microgrand-live.html"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("microgrand live: cannot write")
    assert not Path("/proc/microgrand-live.html").exists()


# --- laid out for a notebook cell ------------------------------------------------------------


def _neuron() -> mg.Value:
    x, w, b = mg.Value(2.0, label="x"), mg.Value(-3.0, label="w"), mg.Value(6.88, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    return y


@pytest.mark.parametrize("precision", [0, 2, 4])
def test_every_number_cell_holds_the_widest_number(precision: int) -> None:
    from microgrand.pages.live_layout import number_width

    view = mg.live(_neuron(), precision=precision, rankdir="TB")
    dot = view.diagram().dot
    width = f"{number_width(precision):.0f}"
    cells = re.findall(r"<TD([^>]*)>(data|grad) = ", dot)
    assert len(cells) == 2 * 6  # x, w, x·w, b, x·w + b, y
    assert all(f' WIDTH="{width}" ALIGN="LEFT"' == attrs for attrs, _ in cells)
    # the widest numbers format_fixed writes fit in 8 + precision characters
    for x in (-999999.49, -1.23456e300, -1e-300, 0.5):
        assert len(format_fixed(x, precision)) <= 8 + precision
    # top to bottom, each box stacks its name, data and grad
    assert dot.count("<HR/>") == 2 * 6
    # each edge label keeps room after it for the widest number (two no-break spaces a digit)
    labels = re.findall(r"label=<(∂/∂[^>]*?)>", dot)
    assert len(labels) == 5
    for label in labels:
        number = re.search(r" = (\S+)", label)
        assert number is not None
        assert label.count("\u00a0") == 2 * (8 + precision - len(number[1]))


def test_page_never_draws_the_diagram_below_11px() -> None:
    view = mg.live(_neuron())
    h = view.page(uid="u").fragment
    natural = float(re.search(r'data-natural=\\"([\d.]+)', h)[1])  # type: ignore[index]
    readable = int(re.search(r'data-readable=\\"(\d+)', h)[1])  # type: ignore[index]
    assert f"min-width:{readable}px" in h and f"max-width:{natural:.0f}px" in h
    # the smallest text is a 12 pt edge label: 16 px at the natural width
    assert readable >= natural * 11 / 16
    assert readable <= natural * 11 / 16 + 2


def test_direction_chosen_for_the_width_and_kept_when_asked() -> None:
    from microgrand.pages.live_layout import choose_rankdir

    x = mg.Value(2.0, label="x")
    assert mg.live(x * 3).rankdir == "LR"
    assert mg.live(_neuron()).rankdir == "TB"
    assert mg.live(_neuron(), rankdir="LR").rankdir == "LR"
    # without a layout, the estimate from the graph's depth
    assert choose_rankdir(Graph.of(x * 3), edge_labels=False) == "LR"
    assert choose_rankdir(Graph.of(_neuron()), edge_labels=True) == "TB"
