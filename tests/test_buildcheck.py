"""microgrand.buildcheck, the checks of lesson 03 (build the engine).

Every check passes with the lesson's own solutions (its code cells, read from
``notebooks/03_build_the_engine.py``) and fails, naming the mistake, with planted wrong answers
of the kinds students write: a sign, ``=`` for ``+=``, a wrong order, a forgotten local
derivative, a forgotten ``zero_grad``. A step not written yet raises ``NotWrittenYet`` saying
which exercise writes it.
"""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path
from typing import Any

import jupytext
import pytest

from microgrand import buildcheck as bc

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "03_build_the_engine.py"


def _tags(cell: Any) -> tuple[str, ...]:
    return tuple(cell.get("metadata", {}).get("tags", ()))


def _definitions() -> str:
    """The lesson's code cells that only define things (imports, functions, classes,
    assignments), solutions included, up to "More exercises": the complete engine and
    network, each name at its last (fixed) version."""
    nb = jupytext.read(LESSON)
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "## More exercises" in cell.source:
            break
        if cell.cell_type != "code" or {"check", "claim"} & set(_tags(cell)):
            continue
        tree = ast.parse(cell.source)
        kinds = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Assign)
        if all(isinstance(node, kinds) for node in tree.body):
            parts.append(cell.source)
    return "\n\n".join(parts)


SOURCE = _definitions()


@pytest.fixture
def ns() -> dict[str, Any]:
    """A fresh namespace with the lesson's solutions: a student who wrote every step right."""
    namespace: dict[str, Any] = {"__name__": "lesson03"}
    exec(compile(SOURCE, str(LESSON), "exec"), namespace)
    return namespace


def plant(ns: dict[str, Any], code: str) -> None:
    """Run a student's (wrong) version of a step in the lesson's namespace."""
    exec(textwrap.dedent(code), ns)


def wrong(verdict: Any, *words: str) -> None:
    assert not verdict.ok and repr(verdict).startswith("✗"), repr(verdict)
    for w in words:
        assert w in verdict.message, f"{w!r} not in {verdict.message!r}"


# --- the lesson's solutions pass ------------------------------------------------------------


def test_the_lessons_solutions_pass_every_check(ns: dict[str, Any]) -> None:
    V = ns["Value"]
    verdicts = [
        bc.check_add(V),
        bc.check_mul(V),
        bc.check_tanh(V),
        bc.check_backward_step(ns["backward_step"], V),
        bc.check_topological_order(ns["topological_order"], V),
        bc.check_backward(V),
        bc.check_exp(V),
        bc.check_tanh_from_exp(ns["tanh_from_exp"], V),
        bc.check_accumulation(ns["backward_step"], V, ns["tanh_from_exp"]),
        bc.check_neuron(ns["Neuron"], V),
        bc.check_layer_and_mlp(ns["Layer"], ns["MLP"], V),
        bc.check_training(ns["train"], ns["MLP"], V, steps=1),
        bc.check_training(ns["train"], ns["MLP"], V, steps=3),
    ]
    assert all(v.ok and repr(v).startswith("✓") for v in verdicts), [repr(v) for v in verdicts]


# --- step by step: planted mistakes ---------------------------------------------------------


def test_add(ns: dict[str, Any]) -> None:
    plant(
        ns,
        """
        def add(self, other):
            other = other if isinstance(other, Value) else Value(other)
            return Value(self.data - other.data, (self, other), (1.0, 1.0), "+")
        Value.__add__ = add
    """,
    )
    wrong(bc.check_add(ns["Value"]), "a - b")
    plant(
        ns,
        """
        def add(self, other):
            other = other if isinstance(other, Value) else Value(other)
            return Value(self.data + other.data, (self, other), (1.0, 0.0), "+")
        Value.__add__ = add
    """,
    )
    wrong(bc.check_add(ns["Value"]), "should be (1, 1)")
    plant(
        ns,
        """
        def add(self, other):
            return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")
        Value.__add__ = add
    """,
    )
    wrong(bc.check_add(ns["Value"]), "a + 1", "isinstance(other, Value)")
    plant(
        ns,
        """
        def add(self, other):
            other = other if isinstance(other, Value) else Value(other)
            return Value(self.data + other.data, (self.data, other.data), (1.0, 1.0), "+")
        Value.__add__ = add
    """,
    )
    wrong(bc.check_add(ns["Value"]), "the Values themselves")
    plant(
        ns,
        """
        def add(self, other):
            return self.data + other.data
        Value.__add__ = add
    """,
    )
    wrong(bc.check_add(ns["Value"]), "should be a new Value", "return Value(")


def test_mul(ns: dict[str, Any]) -> None:
    plant(
        ns,
        """
        def mul(self, other):
            other = other if isinstance(other, Value) else Value(other)
            return Value(self.data * other.data, (self, other), (self.data, other.data), "*")
        Value.__mul__ = mul
    """,
    )
    wrong(bc.check_mul(ns["Value"]), "OTHER input")
    plant(
        ns,
        """
        def mul(self, other):
            other = other if isinstance(other, Value) else Value(other)
            return Value(self.data * other.data, (self, other), (1.0, 1.0), "*")
        Value.__mul__ = mul
    """,
    )
    wrong(bc.check_mul(ns["Value"]), "those of +")
    plant(
        ns,
        """
        def mul(self, other):
            other = other if isinstance(other, Value) else Value(other)
            return Value(self.data * other.data, (self, other), (-other.data, self.data), "*")
        Value.__mul__ = mul
    """,
    )
    wrong(bc.check_mul(ns["Value"]), "sign is flipped")


def test_tanh(ns: dict[str, Any]) -> None:
    plant(
        ns,
        """
        def tanh(self):
            t = math.tanh(self.data)
            return Value(t, (self,), (1 - self.data**2,), "tanh")
        Value.tanh = tanh
    """,
    )
    wrong(bc.check_tanh(ns["Value"]), "1 - x²", "the output")
    plant(
        ns,
        """
        def tanh(self):
            t = math.tanh(self.data)
            return Value(t, (self,), (t**2 - 1,), "tanh")
        Value.tanh = tanh
    """,
    )
    wrong(bc.check_tanh(ns["Value"]), "sign is flipped")
    plant(
        ns,
        """
        def tanh(self):
            return Value(math.tanh(self.data), (self,), (1.0,), "tanh")
        Value.tanh = tanh
    """,
    )
    wrong(bc.check_tanh(ns["Value"]), "local derivative for x is 1")


def test_backward_step(ns: dict[str, Any]) -> None:
    V = ns["Value"]
    cases = {
        "inp.grad = node.grad": "multiply by the local derivative",
        "inp.grad = local": "multiply them by node.grad",
        "inp.grad = -local * node.grad": "sign is flipped",
        "pass": "still 0",
    }
    for line, message in cases.items():
        plant(
            ns,
            f"""
            def backward_step(node):
                for inp, local in zip(node.inputs, node.local):
                    {line}
        """,
        )
        wrong(bc.check_backward_step(ns["backward_step"], V), message)
    plant(
        ns,
        """
        def backward_step(node):
            for inp, local in zip(node.inputs, reversed(node.local)):
                inp.grad = local * node.grad
    """,
    )
    wrong(bc.check_backward_step(ns["backward_step"], V), "swapped")
    # both = and += pass here: every input starts at 0; the difference is met later
    plant(
        ns,
        """
        def backward_step(node):
            for inp, local in zip(node.inputs, node.local):
                inp.grad = local * node.grad
    """,
    )
    assert bc.check_backward_step(ns["backward_step"], V).ok


def test_topological_order(ns: dict[str, Any]) -> None:
    V = ns["Value"]
    plant(
        ns,
        """
        def topological_order(root):
            order = []
            def visit(v):
                for inp in v.inputs:
                    visit(inp)
                order.append(v)
            visit(root)
            return order
    """,
    )
    wrong(bc.check_topological_order(ns["topological_order"], V), "appears", "visited")
    plant(
        ns,
        """
        def topological_order(root):
            order, seen = [], set()
            def visit(v):
                if v not in seen:
                    seen.add(v)
                    order.append(v)
                    for inp in v.inputs:
                        visit(inp)
            visit(root)
            return order
    """,
    )
    wrong(bc.check_topological_order(ns["topological_order"], V), "starts with the output")
    plant(
        ns,
        """
        def topological_order(root):
            return list(root.inputs) + [root]
    """,
    )
    wrong(bc.check_topological_order(ns["topological_order"], V), "missing")
    plant(
        ns,
        """
        def topological_order(root):
            order, seen = [], set()
            def visit(v):
                if v not in seen:
                    seen.add(v)
                    for inp in v.inputs:
                        visit(inp)
                    order.append(v)
            visit(root)
    """,
    )
    wrong(bc.check_topological_order(ns["topological_order"], V), "returned None")


def test_backward(ns: dict[str, Any]) -> None:
    plant(
        ns,
        """
        def backward(self):
            self.grad = 1.0
            for node in topological_order(self):
                backward_step(node)
        Value.backward = backward
    """,
    )
    wrong(bc.check_backward(ns["Value"]), "wrong order", "reversed(topological_order(self))")
    plant(
        ns,
        """
        def backward(self):
            for node in reversed(topological_order(self)):
                backward_step(node)
        Value.backward = backward
    """,
    )
    wrong(bc.check_backward(ns["Value"]), "o.grad is 0", "self.grad = 1")


def test_exp(ns: dict[str, Any]) -> None:
    plant(
        ns,
        """
        def exp(self):
            return Value(math.exp(self.data), (self,), (self.data,), "exp")
        Value.exp = exp
    """,
    )
    wrong(bc.check_exp(ns["Value"]), "e^x itself")


def test_tanh_from_exp(ns: dict[str, Any]) -> None:
    V = ns["Value"]
    plant(
        ns,
        """
        def tanh_from_exp(n):
            e = n.exp()
            return (e - 1) / (e + 1)
    """,
    )
    wrong(bc.check_tanh_from_exp(ns["tanh_from_exp"], V), "should be tanh(n)")
    plant(ns, "def tanh_from_exp(n):\n    return n.tanh()\n")
    wrong(bc.check_tanh_from_exp(ns["tanh_from_exp"], V), "build it from exp")
    plant(
        ns,
        """
        def tanh_from_exp(n):
            return ((2 * n).exp() - 1) / ((2 * n).exp() + 1)
    """,
    )
    wrong(bc.check_tanh_from_exp(ns["tanh_from_exp"], V), "computes exp 2 times", "once")


def test_accumulation_overwrite_is_named(ns: dict[str, Any]) -> None:
    """``=`` for ``+=``: the value of the rebuilt tanh passes, its gradient does not."""
    V = ns["Value"]
    plant(
        ns,
        """
        def backward_step(node):
            for inp, local in zip(node.inputs, node.local):
                inp.grad = local * node.grad
    """,
    )
    assert bc.check_tanh_from_exp(ns["tanh_from_exp"], V).ok
    wrong(bc.check_accumulation(ns["backward_step"], V, ns["tanh_from_exp"]), "a + a", "+=")
    report = bc.nudge(ns["tanh_from_exp"], [0.8813735870195432], V, names=["n"])
    assert not report.ok
    assert "exp node is used more than once" in report.diagnosis and "+=" in report.diagnosis
    assert "DIFFER" in repr(report) and "✓" not in repr(report)


def test_nudge_agrees_on_a_right_engine(ns: dict[str, Any]) -> None:
    report = bc.nudge(lambda a, b: (a * b + a).tanh() * a, [0.4, -1.3], ns["Value"])
    assert report.ok and report.names == ["x1", "x2"]
    assert "agree on every input" in repr(report)
    with pytest.raises(ValueError, match="names"):
        bc.nudge(lambda a: a, [1.0], ns["Value"], names=["a", "b"])


def test_neuron(ns: dict[str, Any]) -> None:
    V = ns["Value"]
    plant(
        ns,
        """
        class Neuron:
            def __init__(self, n_in):
                self.w = [Value(random.uniform(-1, 1)) for _ in range(n_in)]
                self.b = Value(random.uniform(-1, 1))
            def __call__(self, x):
                return sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
            def parameters(self):
                return self.w + [self.b]
    """,
    )
    wrong(bc.check_neuron(ns["Neuron"], V), "without the tanh")
    plant(
        ns,
        """
        class Neuron:
            def __init__(self, n_in):
                self.w = [Value(random.uniform(-1, 1)) for _ in range(n_in)]
                self.b = Value(random.uniform(-1, 1))
            def __call__(self, x):
                return sum((wi * xi for wi, xi in zip(self.w, x)), Value(0.0)).tanh()
            def parameters(self):
                return self.w + [self.b]
    """,
    )
    wrong(bc.check_neuron(ns["Neuron"], V), "bias is missing")
    plant(
        ns,
        """
        class Neuron:
            def __init__(self, n_in):
                self.w = [Value(random.uniform(-1, 1)) for _ in range(n_in)]
                self.b = Value(random.uniform(-1, 1))
            def __call__(self, x):
                return sum((wi * xi for wi, xi in zip(self.w, x)), self.b).tanh()
            def parameters(self):
                return self.w
    """,
    )
    wrong(bc.check_neuron(ns["Neuron"], V), "has 3 Values, should have 4")


def test_layer_and_mlp(ns: dict[str, Any]) -> None:
    V = ns["Value"]
    plant(
        ns,
        """
        class MLP:
            def __init__(self, n_in, sizes):
                sz = [n_in] + sizes
                self.layers = [Layer(sz[i], sz[i + 1]) for i in range(len(sizes))]
            def __call__(self, x):
                out = x
                for layer in self.layers:
                    out = layer(x)  # every layer gets the input x
                return out
            def parameters(self):
                return [p for layer in self.layers for p in layer.parameters()]
    """,
    )
    wrong(bc.check_layer_and_mlp(ns["Layer"], ns["MLP"], V), "x = layer(x)")
    plant(
        ns,
        """
        class Layer:
            def __init__(self, n_in, n_out):
                self.neurons = [Neuron(n_in) for _ in range(n_out)]
            def __call__(self, x):
                return [n(x) for n in self.neurons]
            def parameters(self):
                return [p for n in self.neurons for p in n.parameters()]
    """,
    )
    wrong(bc.check_layer_and_mlp(ns["Layer"], ns["MLP"], V), "list of one Value")


TRAIN = """
def train(model, xs, ys, steps, lr):
    losses = []
    for _ in range(steps):
        ypred = [model(x) for x in xs]
        loss = sum((yp - y) ** 2 for yp, y in zip(ypred, ys))
        {zero}
        loss.backward()
        for p in model.parameters():
            p.data {update} lr * p.grad
        losses.append(loss.data)
    return losses
"""
ZERO = "for p in model.parameters(): p.grad = 0.0"


def test_training_forgotten_zero_grad(ns: dict[str, Any]) -> None:
    """The loop without zero_grad passes one step (the lesson's first check) and fails from
    two steps on, saying that the gradients pile up."""
    plant(ns, TRAIN.format(zero="", update="-="))
    V, MLP = ns["Value"], ns["MLP"]
    assert bc.check_training(ns["train"], MLP, V, steps=1).ok
    wrong(bc.check_training(ns["train"], MLP, V, steps=3), "pile up", "p.grad = 0")


def test_training_sign_and_other_mistakes(ns: dict[str, Any]) -> None:
    V, MLP = ns["Value"], ns["MLP"]
    plant(ns, TRAIN.format(zero=ZERO, update="+="))
    wrong(bc.check_training(ns["train"], MLP, V, steps=1), "UP the gradient")
    plant(ns, TRAIN.format(zero=ZERO, update="-=").replace("return losses", "return None"))
    wrong(bc.check_training(ns["train"], MLP, V), "returned None")
    plant(
        ns,
        TRAIN.format(zero=ZERO, update="-=").replace(
            "loss = sum((yp - y) ** 2 for yp, y in zip(ypred, ys))",
            "loss = sum((yp - y) ** 2 for yp, y in zip(ypred, ys)) * (1 / len(ys))",
        ),
    )
    wrong(bc.check_training(ns["train"], MLP, V), "the mean")
    plant(ns, TRAIN.format(zero=ZERO, update="+= 0 *"))
    wrong(bc.check_training(ns["train"], MLP, V), "have not changed")


# --- not written yet, and code that fails ------------------------------------------------------


class Bare:
    """The lesson's Value before Exercise 1: fields only."""

    def __init__(
        self,
        data: float,
        inputs: tuple[Any, ...] = (),
        local: tuple[float, ...] = (),
        op: str = "",
        label: str = "",
    ) -> None:
        self.data, self.grad = float(data), 0.0
        self.inputs, self.local, self.op, self.label = inputs, local, op, label


@pytest.mark.parametrize(
    ("call", "where"),
    [
        (lambda: bc.check_add(Bare), "Exercise 1"),
        (lambda: bc.check_mul(Bare), "Exercise 2"),
        (lambda: bc.check_tanh(Bare), "Exercise 3"),
        (
            lambda: bc.check_backward_step(bc.todo("backward_step", "Exercise 4"), Bare),
            "Exercise 4",
        ),
        (lambda: bc.check_backward(Bare), "Exercise 6"),
        (lambda: bc.check_exp(Bare), "Exercise 7"),
        (lambda: bc.check_neuron(bc.todo("Neuron", "Exercise 10"), Bare), "Exercise 10"),
        (lambda: bc.check_training(bc.todo("train", "Exercise 12"), None, Bare), "Exercise 12"),
    ],
)
def test_a_step_not_written_says_what_to_write(call: Any, where: str) -> None:
    with pytest.raises(bc.NotWrittenYet) as info:
        call()
    message = str(info.value)
    assert message.startswith("… not answered yet") and where in message
    assert info.value._render_traceback_() == [f"NotWrittenYet: {message}"]
    assert isinstance(info.value, NotImplementedError)


def test_a_student_error_is_reported_not_raised(ns: dict[str, Any]) -> None:
    plant(
        ns,
        """
        def topological_order(root):
            return topological_order(root)
    """,
    )
    wrong(bc.check_topological_order(ns["topological_order"], ns["Value"]), "RecursionError")
    plant(
        ns,
        """
        def mul(self, other):
            return Value(self.value * other.data, (self, other), (other.data, self.data), "*")
        Value.__mul__ = mul
    """,
    )
    wrong(bc.check_mul(ns["Value"]), "raised AttributeError", "value")


def test_checks_log_their_verdict_but_no_value(
    ns: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv("MICROGRAND_CHECK_LOG", str(log))
    assert bc.check_add(ns["Value"]).ok
    plant(ns, "Value.__mul__ = lambda self, other: Value(0.0)")
    assert not bc.check_mul(ns["Value"]).ok
    bc.nudge(lambda a: a * a, [1.0], ns["Value"])  # a tool, not a check: nothing logged
    lines = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    assert [(e["expected"], e["ok"]) for e in lines] == [
        ("buildcheck.add", True),
        ("buildcheck.mul", False),
    ]
