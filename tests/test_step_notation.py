"""The chain-rule notation: one record per step, and stages a page fills in that read exactly
like the record Python writes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from graphs import micrograd_readme

import microgrand as mg
from microgrand.stepper import notation as nt
from microgrand.stepper import record as rc
from microgrand.stepper import trace
from microgrand.stepper.notation import partial_derivative, total_derivative


def _graphs() -> list[mg.Value]:
    x, w, b = mg.Value(2.0, label="x"), mg.Value(-3.0, label="w"), mg.Value(6.88, label="b")
    a = mg.Value(-1.5, label="a")
    g, _, _ = micrograd_readme(labels=True)
    return [(x * w + b).tanh(), a * a * w, (a * x).exp() / (x + 1) - x.log() * 0 + a**2, g]


@pytest.mark.parametrize("root", _graphs(), ids=range(4))
def test_page_stages_read_like_the_record(root: mg.Value) -> None:
    """What a page gets (terms_of + chain_stages, numbers filled in later) is, once filled
    with the trace's numbers, the record explain prints: same terms, same stages."""
    t = trace(root)
    names = rc.step_names(t)
    for s in t:
        if s.is_root or not s.incoming:
            continue
        rec = rc.step_record(s, t, names=names)
        every = nt.terms_of(t.graph, s.id, names)
        # the backward pass skips a consumer whose gradient is 0; a page shows its term
        terms = [x for x in every if t.grads[x.node] != 0.0]
        assert len(terms) == len(s.incoming)
        assert [(x.node, x.position, x.symbol) for x in terms] == [
            (x.node, x.position, x.symbol) for x in rec.terms
        ]

        def number(slot: nt.Slot, s: mg.stepper.Step = s) -> float:
            c = s.incoming[slot.term]
            return {"upstream": c.upstream, "local": c.local, "value": c.value}[slot.field]

        filled = nt.render_stages(nt.chain_stages(terms), number)
        assert filled == list(rec.stages)
        assert rec.text == mg.explain(t, nodes=[s.id]).lines[0]


def test_record_parts_are_the_explanation() -> None:
    x = mg.Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    t = trace(y)
    p = rc.step_record(t[1], t).parts()
    assert p == {
        "name": "x",
        "kind": "an input",
        "lhs": "dy/dx",
        "stages": ["dy/dy · ∂y/∂x", "1.0 · (1 − y²)", "1.0 · 0.7864"],
        "result": "0.7864",
        "remark": None,
        "terms": [
            {
                "node": "n1",
                "position": 0,
                "total": "dy/dy",
                "local": "∂y/∂x",
                "worded": "(1 − y²)",
                "symbol": "dy/dy · ∂y/∂x",
            }
        ],
        "sends": [],
    }
    root = rc.step_record(t[0], t)
    assert (root.stages, root.remark) == ((), "start: y changes one-for-one with itself")
    assert root.sends == (("x", "1.0 × 0.7864", "0.7864"),)
    w = mg.Value(-2.0, label="w")
    z = w * 3.0
    tz = trace(z)
    assert rc.step_record(tz[0], tz).sends == (
        ("w", "1.0 × 3.0", "3.0"),
        ("c", "1.0 × (-2.0)", "-2.0"),
    )


def test_remarks_and_latex() -> None:
    a = mg.Value(0.0, label="a")
    z = (a.relu() * mg.Value(2.0, label="b")).relu()
    t = trace(z)
    blocked = rc.step_record(t.step_of(z.inputs[0]), t)
    assert blocked.remark == nt.remark("blocked", blocked.name)
    assert blocked.text.endswith(f"   ({blocked.remark})")
    unreached = rc.step_record(t.step_of(a), t)
    assert unreached.remark == nt.remark("unreached", "a") and unreached.stages == ()
    latex = rc.step_record(t.step_of(a), t, "latex")
    assert latex.text.startswith(r"\frac{\mathrm{d} L}{\mathrm{d} a} = ")
    assert latex.text == mg.explain(t, "latex", nodes=[a]).lines[0]


def test_bad_format_and_remark_are_refused() -> None:
    with pytest.raises(ValueError, match="format must be"):
        nt.total_derivative("L", "x", "markdown")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="remark kind"):
        nt.remark("done", "x")  # type: ignore[arg-type]


def test_named_inputs_come_from_the_rule_wording() -> None:
    x, y = mg.Value(2.0), mg.Value(3.0)
    g = mg.Graph.of(x / y)
    assert nt.named_inputs(g.node(g.root), 0) == {"needs": [1], "out": False}
    assert nt.named_inputs(g.node(g.root), 1) == {"needs": [0, 1], "out": False}  # −x/y²
    t = mg.Graph.of(x.tanh())
    assert nt.named_inputs(t.node(t.root), 0) == {"needs": [], "out": True}  # 1 − out²


NODE = shutil.which("node")
RUNTIME = Path(mg.__file__).parent / "web" / "runtime.js"


@pytest.mark.skipif(NODE is None, reason="node is not installed (apt-get install nodejs)")
def test_the_page_runtime_fills_stages_as_python_does() -> None:
    """``MG.renderStages`` (web/runtime.js) writes every stage of every step exactly as
    :func:`render_stages` does, negative factors and several precisions included."""
    assert NODE is not None
    cases = []
    for root in _graphs():
        t = trace(root)
        names = rc.step_names(t)
        for s in t:
            if s.is_root or not s.incoming:
                continue
            terms = [x for x in nt.terms_of(t.graph, s.id, names) if t.grads[x.node] != 0.0]
            stages = nt.chain_stages(terms)
            nums = [[c.upstream, c.local, c.value] for c in s.incoming]
            for precision in (0, 2, 4, 7):

                def number(slot: nt.Slot, nums: list[list[float]] = nums) -> float:
                    return nums[slot.term][("upstream", "local", "value").index(slot.field)]

                want = nt.render_stages(stages, number, precision)
                cases.append([nt.stages_json(stages), nums, precision, want])
    assert len(cases) > 20
    script = (
        RUNTIME.read_text(encoding="utf-8")
        + "\nvar input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "process.stdout.write(JSON.stringify(input.map(function (c) {\n"
        "  var k = {upstream: 0, local: 1, value: 2};\n"
        "  return MG.renderStages(c[0], function (s) { return c[1][s.term][k[s.n]]; }, c[2]);\n"
        "})));\n"
    )
    r = subprocess.run(
        [NODE, "-e", script], input=json.dumps(cases), capture_output=True, text=True, check=True
    )
    got = json.loads(r.stdout)
    assert got == [c[3] for c in cases]
    assert any("(-" in line for c in cases for line in c[3])  # bracketed negatives were tested


# --- readable names: never a machine id, never a clash with the notation ---------------------


def test_unnamed_nodes_get_expressions_or_free_letters() -> None:
    from microgrand.pages.live_model import page_names
    from microgrand.stepper.trace import node_names

    a = mg.Value(1.0, label="a")
    u = mg.Value(5.0, label="u")  # the first letter of the pool is taken by a label
    big = ((a * 2 + a * a) * (a + 3)).exp() * u
    names = node_names(mg.Graph.of(big))
    assert list(names.values()) == [
        "a",
        "c",
        "a·2",
        "a·a",
        "a·2 + a·a",
        "c2",
        "a + 3",
        "v",
        "exp(v)",
        "u",
        "exp(v)·u",
    ]
    # lesson 02's neuron with nothing but the inputs labelled: no id anywhere
    x1, x2 = mg.Value(2.0, label="x1"), mg.Value(0.0, label="x2")
    w1, w2 = mg.Value(-3.0, label="w1"), mg.Value(1.0, label="w2")
    b = mg.Value(6.88, label="b")
    g = mg.Graph.of((x1 * w1 + x2 * w2 + b).tanh())
    assert list(page_names(g).values()) == [
        "x1",
        "w1",
        "x1·w1",
        "x2",
        "w2",
        "x2·w2",
        "x1·w1 + x2·w2",
        "b",
        "u",
        "L",
    ]
    # the output is "L" on a page: no other node is ever called L, d or o
    c = mg.Value(2.0)
    g = mg.Graph.of(((c * c).exp() + c.exp() * c.exp()).log().tanh())
    names = page_names(g)
    assert not any(re.fullmatch(r"n\d+", v) for v in names.values())
    assert list(names.values()).count("L") == 1
    assert not {"d", "o"} & set(names.values())


def test_names_that_clash_with_the_notation_are_bracketed() -> None:
    from microgrand.stepper.notation import clashes

    assert total_derivative("L", "d") == "dL/d(d)"
    assert total_derivative("o", "o") == "d(o)/d(o)"
    assert total_derivative("o", "w1") == "d(o)/dw1"
    assert total_derivative("L", "dx") == "dL/d(dx)"
    assert partial_derivative("d", "o") == "∂(d)/∂(o)"
    assert total_derivative("L", "x1") == "dL/dx1"
    assert [clashes(n) for n in ("d", "d2", "o", "o1", "x", "∂")] == [
        True,
        True,
        True,
        False,
        False,
        True,
    ]
    # lesson 02's graph: d and e are labels; no line holds "dd" or "do/"
    a, b, c = mg.Value(2.0, label="a"), mg.Value(-3.0, label="b"), mg.Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    f = mg.Value(-2.0, label="f")
    L = d * f
    L.label = "L"
    lines = mg.explain(L).lines
    assert lines[2] == "dL/d(d) = dL/dL · ∂L/∂(d) = 1.0 · f = 1.0 · (-2.0) = -2.0"
    assert not any("/dd" in ln or "do/" in ln for ln in lines)
