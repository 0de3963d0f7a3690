"""Modules: structure, parameter names and counts, forward values, scopes, saving and loading."""

from __future__ import annotations

import gc
import json
import math
import os
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgrand import Graph, Value, gradcheck, nn, no_grad, scope
from microgrand.nn import MLP, Layer, Module, Neuron

ACTS = {
    "tanh": math.tanh,
    "relu": lambda z: max(z, 0.0),
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
    "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
    "linear": lambda z: z,
}


@given(
    nin=st.integers(1, 6),
    sizes=st.lists(st.integers(1, 6), min_size=1, max_size=4),
)
@settings(max_examples=40, deadline=None)
def test_parameter_count_matches_architecture(nin: int, sizes: list[int]) -> None:
    model = MLP(nin, sizes, rng=0)
    dims = [nin, *sizes]
    expected = sum((dims[i] + 1) * dims[i + 1] for i in range(len(sizes)))
    assert len(model.parameters()) == expected
    assert len({id(p) for p in model.parameters()}) == expected  # no duplicates
    assert model.sizes == dims


def test_micrograd_demo_model_has_337_parameters() -> None:
    # micrograd's demo prints "number of parameters 337" for MLP(2, [16, 16, 1]).
    assert len(MLP(2, [16, 16, 1], rng=0).parameters()) == 337


def test_named_parameters_use_dotted_pytorch_style_names() -> None:
    model = MLP(2, [16, 16, 1], rng=0)
    names = [n for n, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert "layers.0.neurons.3.w.1" in names
    assert names[-1] == "layers.2.neurons.0.b"
    params = dict(model.named_parameters())
    assert params["layers.1.neurons.3.w.1"] is model.layers[1].neurons[3].w[1]


def test_parameters_are_labelled_and_scoped_by_layer_and_neuron() -> None:
    model = MLP(2, [3, 1], rng=0)
    n = model.layers[0].neurons[2]
    assert [p.label for p in n.parameters()] == ["w1", "w2", "b"]
    assert {p.scope for p in n.parameters()} == {"layer1/neuron3"}
    assert model.layers[1].neurons[0].b.scope == "layer2/neuron1"


def test_computation_is_created_in_layer_and_neuron_scopes() -> None:
    model = MLP(2, [3, 1], activation="tanh", rng=0)
    out = model([0.5, -1.0])
    g = Graph.of(out)
    scopes = {node.scope for node in g.nodes if node.op}
    assert scopes == {"layer1/neuron1", "layer1/neuron2", "layer1/neuron3", "layer2/neuron1"}
    inputs = [node for node in g.nodes if node.label in ("x1", "x2")]
    assert [node.scope for node in inputs] == ["", ""]  # data lives outside the network


def test_a_named_mlp_prefixes_every_scope() -> None:
    model = MLP(2, [2, 1], rng=0, name="mlp")
    assert model.layers[0].neurons[1].w[0].scope == "mlp/layer1/neuron2"
    assert model([1.0, 2.0]).scope == "mlp/layer2/neuron1"


def test_scopes_follow_where_and_under_which_name_a_module_runs() -> None:
    # A module's Scope is reused from call to call; it must still follow the enclosing
    # scope and the module's current name.
    n = Neuron(2, rng=0, name="n")
    assert n([1.0, 2.0]).scope == "n"
    with scope("outer"):
        assert n([1.0, 2.0]).scope == "outer/n"
        with scope("inner"):
            assert n([1.0, 2.0]).scope == "outer/inner/n"
    assert n([1.0, 2.0]).scope == "n"
    n.name = "m"
    assert n([1.0, 2.0]).scope == "m"
    n.name = None
    assert n([1.0, 2.0]).scope == ""
    n.name = "bad/name"
    with pytest.raises(ValueError, match="scope name must be a non-empty str without '/'"):
        n([1.0, 2.0])
    assert Value(1.0).scope == ""


class _Probe(Module):
    """Records the scope and the garbage collector's state inside forward; may raise."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__(name="probe")
        self.fail = fail
        self.seen: list[tuple[str, bool]] = []

    def forward(self, x: float) -> Value:
        v = Value(x)
        self.seen.append((v.scope, gc.isenabled()))
        if self.fail:
            raise RuntimeError("boom")
        return v


def test_forward_pauses_the_cyclic_gc_and_restores_scope_and_gc_after_errors() -> None:
    assert gc.isenabled()
    ok, bad = _Probe(), _Probe(fail=True)
    ok(1.0)
    with scope("outer"), pytest.raises(RuntimeError, match="boom"):
        bad(1.0)
    assert ok.seen == [("probe", False)] and bad.seen == [("outer/probe", False)]
    assert gc.isenabled() and Value(1.0).scope == ""
    gc.disable()  # a caller who switched the collector off keeps it off
    try:
        ok(1.0)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_layer_outputs_and_call_agree_and_check_inputs_once_per_call() -> None:
    layer = Layer(2, 1, rng=0, name="layer1")
    one, listed = layer([1.0, 2.0]), layer.outputs([1.0, 2.0])
    assert isinstance(one, Value) and [v.data for v in listed] == [one.data]
    assert one.scope == listed[0].scope == "layer1/neuron1"
    for bad in ((1.0, 2.0, 3.0), [1.0]):
        with pytest.raises(ValueError, match="Layer expects 2 inputs"):
            layer.outputs(bad)  # type: ignore[arg-type]
    assert [v.data for v in layer.outputs((1.0, 2.0))] == [one.data]  # any sequence works


def test_weighted_sum_is_one_sum_node_with_one_edge_per_term() -> None:
    n = Neuron(4, activation="linear", rng=0)
    out = n([1.0, 2.0, 3.0, 4.0])
    assert out.op == "sum"
    assert len(out.inputs) == 5  # w1x1 … w4x4 and b
    assert out.inputs[-1] is n.b
    assert all(t.op == "mul" for t in out.inputs[:4])


@pytest.mark.parametrize("act", sorted(ACTS))
def test_neuron_forward_matches_hand_computation(act: str) -> None:
    n = Neuron(3, activation=act, rng=5)
    for p, v in zip(n.parameters(), [0.5, -1.25, 2.0, 0.3], strict=True):
        p.data = v
    x = [1.5, 0.4, -0.7]
    z = 0.5 * 1.5 + -1.25 * 0.4 + 2.0 * -0.7 + 0.3
    assert n(x).data == pytest.approx(ACTS[act](z), rel=1e-12, abs=1e-15)


def test_mlp_forward_matches_a_plain_float_implementation() -> None:
    rng = random.Random(3)
    model = MLP(3, [4, 4, 2], activation="tanh", rng=rng)
    x = [0.3, -1.2, 0.8]
    h = x
    for li, layer in enumerate(model.layers):
        last = li == len(model.layers) - 1
        h = [
            (lambda z: z if last else math.tanh(z))(
                math.fsum(w.data * xi for w, xi in zip(neu.w, h, strict=True)) + neu.b.data
            )
            for neu in layer.neurons
        ]
    got = model(x)
    assert isinstance(got, list)
    assert [o.data for o in got] == pytest.approx(h, rel=1e-12)


def test_inputs_may_be_values_and_get_gradients() -> None:
    model = MLP(2, [3, 1], activation="tanh", rng=1)
    x1, x2 = Value(0.5, label="a"), Value(-0.3, label="b")
    report = gradcheck(lambda a, b: model([a, b]), [x1, x2])
    assert report.ok, str(report)


def test_parameter_gradients_agree_with_finite_differences() -> None:
    model = MLP(2, [3, 1], activation="tanh", rng=2)
    params = model.parameters()
    x = [0.7, -0.4]

    def f(*_: Value) -> Value:
        out = model(x)
        assert isinstance(out, Value)
        return out

    assert gradcheck(f, params).ok


def test_single_output_is_a_value_and_several_are_a_list() -> None:
    assert isinstance(MLP(2, [3, 1], rng=0)([1.0, 2.0]), Value)
    out = MLP(2, [3, 2], rng=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2
    assert isinstance(Layer(2, 3, rng=0).outputs([1.0, 2.0]), list)
    assert len(Layer(2, 1, rng=0).outputs([1.0, 2.0])) == 1


def test_seed_reproducible_and_no_global_random_state() -> None:
    state = random.getstate()
    a = MLP(2, [4, 1], rng=7).state_dict()
    b = MLP(2, [4, 1], rng=random.Random(7)).state_dict()
    assert random.getstate() == state  # the global generator was not touched
    assert a == b
    assert MLP(2, [4, 1], rng=8).state_dict() != a
    random.seed(123)
    assert MLP(2, [4, 1], rng=7).state_dict() == a


def test_unseeded_models_differ() -> None:
    assert MLP(3, [5, 1]).state_dict() != MLP(3, [5, 1]).state_dict()


def test_unknown_activation_lists_valid_names() -> None:
    with pytest.raises(ValueError, match=r"unknown activation 'swish'.*'tanh'.*'relu'.*'sigmoid'"):
        MLP(2, [3, 1], activation="swish", rng=0)
    with pytest.raises(ValueError, match="unknown activation 'soft'"):
        Neuron(2, activation="soft", rng=0)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: MLP(0, [1]), "nin must be a positive int"),
        (lambda: MLP(2, []), "nouts must be a non-empty list"),
        (lambda: MLP(2, 3), "nouts must be a non-empty list"),  # type: ignore[arg-type]
        (lambda: MLP(2, [3, 0]), "each layer size must be a positive int"),
        (lambda: MLP(2, [1], rng="seed"), "rng must be a random.Random"),  # type: ignore[arg-type]
        (lambda: MLP(2, [1], name="a/b"), "module name"),
        (lambda: MLP(2, [1], init="glorious"), "unknown init 'glorious'"),
    ],
)
def test_bad_construction_raises_clear_errors(make: object, match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        make()  # type: ignore[operator]


def test_wrong_number_of_inputs_is_a_clear_error() -> None:
    model = MLP(3, [2, 1], rng=0)
    with pytest.raises(ValueError, match="MLP expects 3 inputs, got 2"):
        model([1.0, 2.0])
    with pytest.raises(TypeError, match="list of 3 inputs"):
        model(1.0)


def test_zero_grad_resets_every_parameter() -> None:
    model = MLP(2, [3, 1], rng=0)
    out = model([1.0, -2.0])
    assert isinstance(out, Value)
    (out * out).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


def test_train_and_eval_set_the_flag_on_every_module() -> None:
    model = MLP(2, [3, 1], rng=0)
    assert model.eval() is model
    assert all(not m.training for _, m in model.named_modules())
    model.train()
    assert all(m.training for _, m in model.named_modules())


def test_repr_reads_like_pytorch() -> None:
    model = MLP(2, [16, 16, 1], rng=0)
    assert repr(model) == (
        "MLP(\n"
        "  (layer1): Layer(in_features=2, out_features=16, activation='relu')\n"
        "  (layer2): Layer(in_features=16, out_features=16, activation='relu')\n"
        "  (layer3): Layer(in_features=16, out_features=1, activation='linear')\n"
        ")"
    )
    assert repr(Neuron(3, "tanh", rng=0)) == "Neuron(in_features=3, activation='tanh')"


def test_custom_module_finds_parameters_in_attributes() -> None:
    class Two(Module):
        def __init__(self) -> None:
            super().__init__(name="two")
            self.first = Neuron(2, rng=0, name="a")
            self.scale = Value(2.0, label="s")
            self.rest = [Neuron(1, rng=0, name="b")]

        def forward(self, x: list[float]) -> Value:
            return self.rest[0]([self.first(x) * self.scale])

    m = Two()
    assert [n for n, _ in m.named_parameters()] == [
        "first.w.0",
        "first.w.1",
        "first.b",
        "scale",
        "rest.0.w.0",
        "rest.0.b",
    ]
    assert m([1.0, 2.0]).scope == "two/b"
    assert list(m.grad_groups()) == ["a", "b"]


def test_state_dict_roundtrip_and_mismatch() -> None:
    a, b = MLP(2, [3, 1], rng=0), MLP(2, [3, 1], rng=1)
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()
    with pytest.raises(KeyError, match=r"missing keys \['layers.0.neurons.2.w.0'"):
        MLP(2, [3, 1], rng=0).load_state_dict(MLP(2, [2, 1], rng=0).state_dict())
    with pytest.raises(KeyError, match="unexpected keys"):
        MLP(2, [2, 1], rng=0).load_state_dict(MLP(2, [3, 1], rng=0).state_dict())
    bad = a.state_dict()
    bad["layers.0.neurons.0.b"] = "zero"  # type: ignore[assignment]
    with pytest.raises(TypeError, match=r"state\['layers.0.neurons.0.b'\] must be a number"):
        b.load_state_dict(bad)


def test_save_and_load_json(tmp_path: Path) -> None:
    a = MLP(2, [3, 1], rng=0)
    path = a.save(tmp_path / "model.json")
    doc = json.loads(path.read_text())
    assert doc["format"] == "microgrand.state_dict"
    assert doc["parameters"] == a.state_dict()
    b = MLP(2, [3, 1], rng=99).load(path)
    assert b.state_dict() == a.state_dict()
    x = [0.3, -0.2]
    assert b(x).data == a(x).data
    assert os.listdir(tmp_path) == ["model.json"]  # no temporary file left behind
    assert (path.stat().st_mode & 0o777) == (0o666 & ~_umask())


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


def test_load_errors_are_clear(tmp_path: Path) -> None:
    model = MLP(2, [3, 1], rng=0)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="not a microgrand model file"):
        model.load(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"hello": 1}')
    with pytest.raises(ValueError, match="not a microgrand model file"):
        model.load(tmp_path / "other.json")
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ValueError, match="not a microgrand model file"):
        model.load(tmp_path / "bin.json")
    MLP(2, [4, 1], rng=0).save(tmp_path / "big.json")
    with pytest.raises(KeyError, match="different architecture"):
        model.load(tmp_path / "big.json")
    with pytest.raises(FileNotFoundError):
        model.load(tmp_path / "missing.json")


def test_save_refuses_non_finite_and_keeps_old_file(tmp_path: Path) -> None:
    model = MLP(2, [3, 1], rng=0)
    path = model.save(tmp_path / "m.json")
    before = path.read_text()
    model.layers[0].neurons[0].b.data = math.nan
    with pytest.raises(ValueError, match="non-finite parameters"):
        model.save(path)
    assert path.read_text() == before


def test_save_into_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        MLP(1, [1], rng=0).save(tmp_path / "nope" / "m.json")


def test_no_grad_forward_builds_no_graph() -> None:
    model = MLP(2, [3, 1], rng=0)
    with no_grad():
        out = model([1.0, 2.0])
    assert isinstance(out, Value) and out.inputs == ()


def test_activations_table_is_exposed() -> None:
    assert set(nn.ACTIVATIONS) == set(ACTS)


# --- dropout -------------------------------------------------------------------------------


def test_dropout_keeps_the_expected_value_and_drops_about_p() -> None:
    from microgrand.nn import Dropout

    drop = Dropout(0.25, rng=3)
    out = drop([1.0] * 20_000)
    kept = [v for v in out if v != 0.0]
    # kept inputs are scaled by 1 / (1 - p); the rest are exactly 0
    assert all(v == pytest.approx(1 / 0.75) for v in kept)
    assert len(kept) / len(out) == pytest.approx(0.75, abs=0.015)
    assert sum(out) / len(out) == pytest.approx(1.0, abs=0.02)


def test_dropout_gradient_flows_only_through_kept_inputs() -> None:
    from microgrand.nn import Dropout

    xs = [Value(float(i + 1), label=f"x{i}") for i in range(200)]
    out = Dropout(0.5, rng=1)(xs)
    sum(out, Value(0.0)).backward()
    for x, o in zip(xs, out, strict=True):
        if o.data == 0.0:
            assert x.grad == 0.0
        else:
            assert o.data == pytest.approx(2 * x.data)
            assert x.grad == pytest.approx(2.0)
    assert {x.grad for x in xs} == {0.0, 2.0}  # both cases occur


def test_dropout_eval_is_the_identity_and_train_restores_it() -> None:
    from microgrand.nn import Dropout

    class Net(Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = Layer(3, 50, "relu", rng=0)
            self.drop = Dropout(0.5, rng=0)

        def forward(self, x: list[float]) -> list[Value]:
            return list(self.drop(self.layer.outputs([Value(v) for v in x])))

    net = Net()
    x = [0.5, -1.0, 2.0]
    clean = [v.data for v in net.layer.outputs([Value(v) for v in x])]
    net.eval()
    assert not net.drop.training
    assert [v.data for v in net(x)] == clean  # identity in eval
    net.train()
    noisy = [v.data for v in net(x)]
    assert any(a == 0.0 and b != 0.0 for a, b in zip(noisy, clean, strict=True))
    assert all(a in (0.0, pytest.approx(2 * b)) for a, b in zip(noisy, clean, strict=True))


def test_dropout_masks_are_reproducible_and_fresh_per_call() -> None:
    from microgrand.nn import Dropout

    a, b = Dropout(0.5, rng=7), Dropout(0.5, rng=7)
    first = a([1.0] * 64)
    assert first == b([1.0] * 64)  # same seed, same masks
    assert a([1.0] * 64) != first  # a new mask on every call


def test_dropout_edges_and_errors() -> None:
    from microgrand.nn import Dropout

    assert Dropout(0.0, rng=0)([1.0, 2.0]) == [1.0, 2.0]
    assert [v.data for v in Dropout(1.0, rng=0)([Value(1.0), Value(2.0)])] == [0.0, 0.0]
    assert Dropout(0.5, rng=0)(3.0) in (0.0, 6.0)
    assert "p=0.3" in repr(Dropout(0.3))
    for bad in (-0.1, 1.5, "0.5", True):
        with pytest.raises(ValueError, match=r"dropout probability p must be a number in \[0, 1\]"):
            Dropout(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Dropout takes a Value"):
        Dropout(0.5)("x")
