"""The JavaScript side of the rules table equals the Python side (run in node).

Every rule's JS forms (forward, local derivatives, domain check) are evaluated in one node
process on 1,000+ inputs per rule, edge and out-of-domain inputs included, and compared with
the Python engine bit for bit (the sign of zero included) for every rule whose JS forms use
only exactly rounded operations (``Rule.browser_exact``), within a few units in the last place
for the rules that call ``Math.exp``, ``log``, ``sin``, ``cos``, ``tanh`` or ``pow``; or both
sides refuse the input with the same message. Then ``microgrand/web/engine.js`` recomputes whole graphs
(random expressions using every rule, and the same graphs with changed inputs, as a page's
slider would) and must agree with ``Value`` and ``backward()`` on every value and gradient.
"""

from __future__ import annotations

import json
import math
import os
import random
import struct
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import engine_js
import pytest

import microgrand as mg
from microgrand.graph import Graph
from microgrand.rules import FAMILIES, RULES, rule, rules_js

ENGINE, NODE = engine_js.ENGINE, engine_js.NODE
pytestmark = pytest.mark.skipif(
    not os.access(NODE, os.X_OK), reason="node is not installed (needed to run engine.js)"
)

HARNESS = r"""
const E = require(process.argv[1]);
let buf = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => { buf += d; });
process.stdin.on("end", () => {
  const req = JSON.parse(buf);
  const rules = E.compileRules(req.rules);
  const cases = req.cases.map((c) => E.applyRule(rules, c.op, c.param, c.xs, c.text));
  const models = req.models.map((m) => E.evaluate(rules, m));
  const fmt = req.numbers.map(E.formatG);
  const enc = (k, v) => (Object.is(v, -0) ? "-0.0" : typeof v === "number" && !Number.isFinite(v)
    ? (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf") : v);
  process.stdout.write(JSON.stringify({ cases, models, fmt }, enc));
});
"""

EDGE = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    2.0,
    -2.0,
    3.0,
    -3.0,
    1e-300,
    -1e-300,
    5e-324,
    1e-8,
    1e17,
    -1e17,
    1e300,
    -1e300,
    1.7e308,
    -1.7e308,
    709.78,
    710.0,
    -745.0,
    -746.0,
    math.pi,
    -math.pi,
    1e6,
    123456.5,
    0.1,
    20.0,
    -20.0,
    40.0,
    100.0,
]


def _random_number(rng: random.Random) -> float:
    k = rng.random()
    if k < 0.15:
        return rng.choice(EDGE)
    if k < 0.45:
        return rng.uniform(-10.0, 10.0)
    if k < 0.6:
        return float(rng.randint(-6, 6))
    sign = rng.choice((-1.0, 1.0))
    return sign * 10.0 ** rng.uniform(-320.0, 308.0)


# (name, param) for every rule: plain rules once, families with several parameters.
SPECS: list[tuple[str, float | None]] = [
    *((n, None) for n in RULES),
    *(("powc", c) for c in (2.0, 3.0, 0.5, -1.0, -2.5, 0.0, 1.0, 1 / 3)),
    *(("leaky_relu", a) for a in (0.01, 0.2, -0.5, 1.5)),
    *(("softmax", float(k)) for k in (0, 1, 3)),
    *(("cross_entropy", float(k)) for k in (0, 2)),
]


def _cases(name: str, param: float | None, n: int = 2000) -> Iterator[list[float]]:
    rng = random.Random(f"{name}{param}")
    arity = rule(name, param).arity
    for j in range(n):
        size = arity if arity else rng.randint(1, 6)
        if j < len(EDGE) and size == 1:
            yield [EDGE[j]]
        elif j < len(EDGE) ** 2 and size == 2 and rng.random() < 0.3:
            yield [EDGE[j % len(EDGE)], EDGE[j // len(EDGE)]]
        else:
            yield [_random_number(rng) for _ in range(size)]


def _python(name: str, param: float | None, xs: list[float]) -> dict[str, Any]:
    try:
        v = mg.apply(name, *xs, param=param)
    except (ArithmeticError, ValueError) as e:
        return {"ok": False, "kind": type(e).__name__, "message": str(e)}
    return {"ok": True, "value": v.data, "local": list(v.local_grads)}


def _num(v: Any) -> float:
    return float(v)  # "inf", "-inf", "nan" and "-0.0" arrive as strings


def _bits(x: float) -> int:
    """The IEEE bits of ``x`` as an integer ordered like the floats (for ulp distances)."""
    i: int = struct.unpack("<q", struct.pack("<d", x))[0]
    return i if i >= 0 else -(i & 0x7FFFFFFFFFFFFFFF)


def _same_bits(a: float, b: float) -> bool:
    """Equal as IEEE doubles: the sign of zero counts, every NaN is one NaN."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


# The most units in the last place a browser's Math.exp/log/sin/cos/tanh/pow differ by from
# CPython's, measured over every rule (logsumexp and softmax compose several calls).
MAX_ULPS = 4


def _near(a: float, b: float) -> bool:
    if _same_bits(a, b) or a == b:
        return True
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    if max(abs(a), abs(b)) < 1e-290:  # subnormal results: absolute
        return abs(a - b) <= 1e-300
    return abs(_bits(a) - _bits(b)) <= MAX_ULPS


def agrees(name: str, param: float | None, py: float, js: float) -> bool:
    """The agreement a page promises for this rule: bit for bit, or within MAX_ULPS."""
    return _same_bits(py, js) if rule(name, param).browser_exact else _near(py, js)


def _close(a: float, b: float, rel: float = 1e-12) -> bool:
    """Relative agreement (absolute 1e-300 for subnormal results; ±inf must match)."""
    if a == b:
        return True
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= rel * max(abs(a), abs(b)) or abs(a - b) <= 1e-300


# --- random programs for the whole-graph test --------------------------------------------------


@dataclass
class Program:
    """Leaves, then operations (name, param, input indices); the last one is the root."""

    leaves: list[float]
    ops: list[tuple[str, float | None, tuple[int, ...]]]

    def run(self, leaves: list[float]) -> list[mg.Value]:
        vals = [mg.Value(x, label=f"x{i}") for i, x in enumerate(leaves)]
        for name, param, ins in self.ops:
            vals.append(mg.apply(name, *(vals[i] for i in ins), param=param))
        return vals


def _program(
    rng: random.Random,
    want: list[tuple[str, float | None]],
    specs: list[tuple[str, float | None]] = SPECS,
) -> Program:
    leaves = [rng.uniform(-2.0, 2.0) for _ in range(rng.randint(2, 4))]
    prog = Program(leaves, [])
    vals = prog.run(leaves)
    used: set[int] = set()
    for _ in range(rng.randint(3, 9)):
        for _attempt in range(40):
            name, param = want.pop() if want and rng.random() < 0.7 else rng.choice(specs)
            arity = rule(name, param).arity or rng.randint(2, 4)
            ins = tuple(rng.randrange(len(vals)) for _ in range(arity))
            try:
                v = mg.apply(name, *(vals[i] for i in ins), param=param)
            except (ArithmeticError, ValueError, TypeError):
                want.append((name, param))
                continue
            if not abs(v.data) < 1e6:  # keep values moderate so that further ops stay defined
                want.append((name, param))
                continue
            prog.ops.append((name, param, ins))
            vals.append(v)
            used.update(ins)
            break
    # The root sums every node not used yet, so that every node feeds it.
    loose = tuple(i for i in range(len(vals)) if i not in used)
    prog.ops.append(("sum", None, loose))
    return prog


def _model(prog: Program, leaves: list[float]) -> tuple[dict[str, Any], dict[str, int]]:
    """The engine.js graph model of ``prog`` (structure from a run, leaf values given)."""
    vals = prog.run(prog.leaves)
    where = {id(v): k for k, v in enumerate(vals)}
    g = Graph.of(vals[-1])
    nodes = []
    index = {}
    for n in g.nodes:
        k = where[id(n.value)]
        index[n.id] = k
        r = n.rule
        nodes.append(
            {
                "id": n.id,
                "op": n.op,
                "inputs": list(n.inputs),
                "param": None if r is None else r.param,
                "text": None if r is None else r.text,
                "value": leaves[k] if r is None else None,
            }
        )
    return {"nodes": nodes, "root": g.root}, index


@pytest.fixture(scope="module")
def node_run() -> dict[str, Any]:
    """One node process for the module: every rule case, every model, the formatter."""
    cases = []
    for name, param in SPECS:
        text = rule(name, param).text
        for xs in _cases(name, param):
            cases.append({"op": name, "param": param, "xs": xs, "text": text})
    rng = random.Random(2024)
    want = [s for s in SPECS for _ in range(2)]
    rng.shuffle(want)
    programs: list[tuple[Program, list[float]]] = []
    while len(programs) < 240 or want:
        prog = _program(rng, want)
        programs.append((prog, prog.leaves))
        # As a slider would: the same graph with other input values (some out of a domain).
        other = [rng.choice((rng.uniform(-3.0, 3.0), rng.choice(EDGE))) for _ in prog.leaves]
        programs.append((prog, other))
    # Graphs of exactly rounded operations only, which a page must reproduce bit for bit.
    exact = [s for s in SPECS if rule(*s).browser_exact]
    for _ in range(60):
        prog = _program(rng, [], exact)
        programs.append((prog, prog.leaves))
        other = [rng.choice((rng.uniform(-3.0, 3.0), rng.choice(EDGE))) for _ in prog.leaves]
        programs.append((prog, other))
    models = [_model(p, leaves) for p, leaves in programs]
    rng2 = random.Random(7)
    numbers = [*EDGE, *(_random_number(rng2) for _ in range(3000)), 1234565.0, 0.000123456789]
    payload = json.dumps(
        {"rules": rules_js(), "cases": cases, "models": [m for m, _ in models], "numbers": numbers}
    )
    proc = subprocess.run(
        [NODE, "-e", HARNESS, str(ENGINE)],
        input=payload,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    return {
        "cases": cases,
        "js_cases": out["cases"],
        "programs": programs,
        "models": models,
        "js_models": out["models"],
        "numbers": numbers,
        "js_fmt": out["fmt"],
    }


def test_every_rule_has_js_forms() -> None:
    table = rules_js()
    assert set(table) == set(RULES) | set(FAMILIES)
    for name, spec in table.items():
        r = rule(name)
        assert len(spec["local"]) == (1 if r.arity == 0 else r.arity)
        assert spec["family"] == (name in FAMILIES)
        # a bound family rule has its parameter written in, not the free variable p
        if name in FAMILIES:
            assert "p" not in rule(name, 2.0).js.forward.replace("Math.exp", "").split()


def test_js_formats_numbers_as_python(node_run: dict[str, Any]) -> None:
    for x, s in zip(node_run["numbers"], node_run["js_fmt"], strict=True):
        assert s == f"{x:.6g}", x


@pytest.mark.parametrize(("name", "param"), SPECS, ids=[f"{n}-{p}" for n, p in SPECS])
def test_js_forms_equal_python(node_run: dict[str, Any], name: str, param: float | None) -> None:
    checked = refused = differ = 0
    for case, js in zip(node_run["cases"], node_run["js_cases"], strict=True):
        if case["op"] != name or case["param"] != param:
            continue
        py = _python(name, param, case["xs"])
        where = f"{name}({param}) at {case['xs']}"
        assert js["ok"] == py["ok"], f"{where}: python {py}, js {js}"
        if py["ok"]:
            pairs = zip([py["value"], *py["local"]], [js["value"], *js["local"]], strict=True)
            differ += not all(_same_bits(a, _num(b)) for a, b in pairs)
            assert agrees(name, param, py["value"], _num(js["value"])), f"{where}: {py} vs {js}"
            assert len(js["local"]) == len(py["local"]), where
            for a, b in zip(js["local"], py["local"], strict=True):
                assert agrees(name, param, b, _num(a)), (
                    f"{where}: local {py['local']} vs {js['local']}"
                )
        else:
            assert (js["kind"], js["message"]) == (py["kind"], py["message"]), where
            refused += 1
        checked += 1
    assert checked >= 2000
    # Where a browser's Math functions are used, most results still agree to the bit; more
    # than this share differing means the JS forms compute differently (e.g. another order).
    assert differ <= 0.12 * checked, f"{name}({param}): {differ} of {checked} differ in bits"
    if name in ("log", "sqrt", "div", "pow", "exp", "mul", "powc") and param not in (0.0, 1.0):
        assert refused > 0, f"no input outside the domain of {name} was tried"


def test_exactly_rounded_rules() -> None:
    """The rules a page reproduces bit for bit (x², √x, 1/x by IEEE operations, not pow)."""
    exact = {(n, p) for n, p in SPECS if rule(n, p).browser_exact}
    assert exact >= {
        ("add", None),
        ("sub", None),
        ("mul", None),
        ("div", None),
        ("neg", None),
        ("abs", None),
        ("sqrt", None),
        ("relu", None),
        ("sum", None),
        ("powc", 2.0),
        ("powc", 0.5),
        ("powc", 1.0),
        ("powc", 0.0),
        ("powc", -1.0),
        *(("leaky_relu", a) for a in (0.01, 0.2, -0.5, 1.5)),
    }
    assert not exact & {("exp", None), ("tanh", None), ("powc", 3.0), ("softmax", 0.0)}


def test_engine_js_equals_python_on_random_graphs(node_run: dict[str, Any]) -> None:
    used: set[str] = set()
    refusals = exact_graphs = 0
    for (prog, leaves), (model, index), js in zip(
        node_run["programs"], node_run["models"], node_run["js_models"], strict=True
    ):
        used.update(n["op"] for n in model["nodes"] if n["op"])
        order = [n["id"] for n in model["nodes"]]
        try:
            vals = prog.run(leaves)
        except (ArithmeticError, ValueError) as e:
            # Python refuses: the first failing operation (in Python's order) carries the
            # same message in engine.js, and so does the root.
            refusals += 1
            assert not js["ok"]
            failing = len(leaves) + _first_failing(prog, leaves)
            nid = next(i for i in order if index[i] == failing)
            assert js["errors"][order.index(nid)] == str(e)
            assert js["errors"][-1] is not None
            assert all(g is None for g in js["grads"])
            continue
        assert js["ok"], js["error"]
        with warnings.catch_warnings():  # an infinite gradient is compared, not warned about
            warnings.simplefilter("ignore", mg.NonFiniteGradientWarning)
            vals[-1].backward()
        exact = all(rule(n["op"], n["param"]).browser_exact for n in model["nodes"] if n["op"])
        exact_graphs += exact
        for pos, nid in enumerate(order):
            v = vals[index[nid]]
            if exact:  # only exactly rounded operations: every number bit for bit
                assert _same_bits(_num(js["values"][pos]), v.data), (nid, model)
                assert _same_bits(_num(js["grads"][pos]), v.grad), (nid, model)
                for a, b in zip(js["locals"][pos] or (), v.local_grads, strict=True):
                    assert _same_bits(_num(a), b), (nid, model)
            assert _close(_num(js["values"][pos]), v.data), (nid, model)
            assert _close(_num(js["grads"][pos]), v.grad, rel=1e-11), (nid, v.grad, js["grads"])
            if v.local_grads:
                for a, b in zip(js["locals"][pos], v.local_grads, strict=True):
                    assert _close(_num(a), b)
    assert used >= set(RULES) | set(FAMILIES), set(RULES) | set(FAMILIES) - used
    assert refusals >= 5
    assert exact_graphs >= 20, exact_graphs


def _first_failing(prog: Program, leaves: list[float]) -> int:
    vals = [mg.Value(x) for x in leaves]
    for k, (name, param, ins) in enumerate(prog.ops):
        try:
            vals.append(mg.apply(name, *(vals[i] for i in ins), param=param))
        except (ArithmeticError, ValueError):
            return k
    raise AssertionError("the program did not fail")


def test_engine_js_marks_everything_downstream() -> None:
    x = mg.Value(2.0, label="x")
    y = mg.Value(3.0, label="y")
    root = (x.log() * y).tanh() + y
    g = Graph.of(root)
    nodes = [
        {
            "id": n.id,
            "op": n.op,
            "inputs": list(n.inputs),
            "param": None if n.rule is None else n.rule.param,
            "value": n.data if n.rule is None else None,
        }
        for n in g.nodes
    ]
    xi = next(i for i, n in enumerate(g.nodes) if n.label == "x")
    nodes[xi]["value"] = -1.0
    out = engine_js.evaluate({"nodes": nodes})
    with pytest.raises(ValueError) as err:
        mg.Value(-1.0, label="x").log()
    msg = str(err.value)
    assert msg == "log: log(x) is undefined for x = -1: the logarithm needs x > 0"
    assert out["error"] == msg and not out["ok"]
    for n, e, v in zip(g.nodes, out["errors"], out["values"], strict=True):
        downstream = n.op in ("log", "mul", "tanh", "add")
        assert (e == msg) == downstream, n
        assert (v is None) == downstream
    assert out["grads"] == [None] * len(g.nodes)
