"""Side-by-side benchmarks: microgrand vs micrograd vs hand-written plain floats.

Every measurement runs in a fresh subprocess per engine (so one engine's garbage does not
slow the other), interleaved, several times; the table reports the median and the ratio to
micrograd measured in the same run. Speeds on shared machines are noisy: read the ratios.

    python benchmarks/run.py [--repeat 5] [--out benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------------------------
# The workload: micrograd's demo (2-16-16-1 ReLU MLP, 100 two-moons points, SVM loss + L2).


def moons(n: int = 100, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2:
            X.append([math.cos(t) + rng.gauss(0, 0.1), math.sin(t) + rng.gauss(0, 0.1)])
            y.append(-1.0)
        else:
            X.append([1 - math.cos(t) + rng.gauss(0, 0.1), 0.5 - math.sin(t) + rng.gauss(0, 0.1)])
            y.append(1.0)
    return X, y


def init_weights(sizes: list[int], seed: int = 0) -> list[list[list[float]]]:
    """Per layer, per neuron: [w_1, ..., w_nin, b], uniform(-1, 1) as micrograd does."""
    rng = random.Random(seed)
    layers = []
    for nin, nout in itertools.pairwise(sizes):
        layers.append([[rng.uniform(-1, 1) for _ in range(nin + 1)] for _ in range(nout)])
    return layers


SIZES = [2, 16, 16, 1]


def _mlp_step_autograd(
    V: Any,
    relu: Callable[[Any], Any],
    total: Callable[[list[Any]], Any],
    weights: list[list[list[float]]],
    X: list[list[float]],
    y: list[float],
) -> tuple[float, Callable[[], None], int]:
    """Build the loss for one full-batch step with any engine whose Values support + * relu."""
    params = [[[V(w) for w in neuron] for neuron in layer] for layer in weights]
    flat = [p for layer in params for neuron in layer for p in neuron]

    def forward(x: list[float]) -> Any:
        act: list[Any] = list(x)
        for li, layer in enumerate(params):
            out = []
            for neuron in layer:
                s = total([w * a for w, a in zip(neuron, act, strict=False)] + [neuron[-1]])
                out.append(relu(s) if li < len(params) - 1 else s)
            act = out
        return act[0]

    scores = [forward(x) for x in X]
    losses = [relu(1 + -yi * si) for yi, si in zip(y, scores, strict=True)]
    data_loss = total(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * total([p * p for p in flat])
    loss = data_loss + reg_loss

    def step() -> None:
        for p in flat:
            p.data -= 0.01 * p.grad

    return loss, step, len(flat)


def left_fold(xs: list[Any]) -> Any:
    out = xs[0]
    for x in xs[1:]:
        out = out + x
    return out


def work_mlp(engine: str) -> dict[str, float]:
    X, y = moons()
    W = init_weights(SIZES)
    if engine == "plain":
        return {"seconds": _timeit(lambda: plain_step(W, X, y))}
    if engine == "micrograd":
        from micrograd.engine import Value as MV

        def one() -> None:
            loss, step, _ = _mlp_step_autograd(MV, lambda v: v.relu(), sum_left, W, X, y)
            loss.backward()
            step()
    elif engine == "microgrand":  # the engine's natural graph: one Σ node per neuron
        import microgrand as mg

        def one() -> None:
            loss, step, _ = _mlp_step_autograd(mg.Value, lambda v: v.relu(), mg.vsum, W, X, y)
            loss.backward()
            step()
    elif engine == "microgrand-same-graph":  # exactly micrograd's graph: chains of +
        import microgrand as mg

        def one() -> None:
            loss, step, _ = _mlp_step_autograd(mg.Value, lambda v: v.relu(), sum_left, W, X, y)
            loss.backward()
            step()
    elif engine == "microgrand-nn":
        return work_mlp_nn()
    else:
        raise SystemExit(f"unknown engine {engine}")
    return {"seconds": _timeit(one)}


def work_mlp_nn() -> dict[str, float]:
    """The same step written with microgrand's own nn/losses/optim modules."""
    import random as _r

    import microgrand as mg
    from microgrand import losses, nn, optim

    X, y = moons()
    model = nn.MLP(2, [16, 16, 1], rng=_r.Random(0))
    opt = optim.SGD(model.parameters(), lr=0.01)

    def one() -> None:
        scores = [model(x) for x in X]
        loss = losses.hinge(scores, y) + 1e-4 * losses.l2(model.parameters())
        opt.zero_grad()
        loss.backward()
        opt.step()

    del mg
    return {"seconds": _timeit(one)}


def _micrograd_demo(engine: str) -> tuple[Any, Callable[[], Any], Callable[[], None]]:
    """micrograd's demo, unchanged: its own ``nn.py`` and the demo notebook's loss function.

    On ``microgrand`` the very same code runs with ``micrograd.engine.Value`` replaced by
    ``microgrand.Value`` (what a micrograd user gets by changing one import). Returns the
    model, the loss function and one training step.
    """
    import types

    if engine != "micrograd":
        import microgrand as mg

        fake = types.ModuleType("micrograd.engine")
        fake.Value = mg.Value  # type: ignore[attr-defined]
        sys.modules["micrograd.engine"] = fake
    import micrograd.nn as mnn
    from micrograd.engine import Value

    random.seed(1337)
    model = mnn.MLP(2, [16, 16, 1])
    X, y = moons()

    def loss() -> Any:  # the demo notebook's loss(), full batch
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores, strict=True)]
        return total_loss, sum(accuracy) / len(accuracy)

    def update() -> None:
        for p in model.parameters():
            p.data -= 0.01 * p.grad

    return model, loss, update


def work_micrograd_code(engine: str) -> dict[str, float]:
    """One training step of micrograd's unchanged demo code, eager or recorded."""
    model, loss, update = _micrograd_demo("micrograd" if engine == "micrograd" else "microgrand")
    if engine == "recorded":
        import microgrand as mg

        rec = mg.record(lambda: loss()[0], model.parameters())

        def one() -> None:
            model.zero_grad()
            rec()
            update()
    else:

        def one() -> None:
            total_loss, _ = loss()
            model.zero_grad()
            total_loss.backward()
            update()

    return {"seconds": _timeit(one)}


def work_playground(engine: str) -> dict[str, float]:
    """One ``pg.step()`` with every view refreshed, next to micrograd's own step (same data size).

    The playground trains on the same workload as micrograd's demo (2-16-16-1 ReLU, 100
    training points of two moons, SVM loss + L2, SGD, full batch); "every view refreshed"
    means the frame (decision boundary, a heatmap per neuron, weights, gradients, optimizer
    state) is rebuilt and serialised to JSON with the history, as the widget's sync does.
    """
    if engine == "micrograd":
        return work_mlp("micrograd")
    import microgrand as mg

    pg = mg.playground(
        dataset="moons",
        n=125,
        test_fraction=0.2,
        layers=[16, 16],
        activation="relu",
        loss="hinge",
        optimizer="sgd",
        lr=0.01,
        batch_size=100,
        l2=1e-4,
        seed=0,
    )
    assert len(pg.X) == 100

    def one() -> None:
        pg.step()
        json.dumps(pg.frame)
        json.dumps(pg.history.as_dict())

    return {"seconds": _timeit(one)}


def playground_lines(repeat: int) -> list[str]:
    """The playground section of RESULTS.md (target: at most 0.14× micrograd's step)."""
    if not (has_module("micrograd") and has_module("numpy")):
        return ["", "## Playground step", "", "(needs micrograd and numpy; skipped)"]
    r = median_runs("playground", ["microgrand-playground", "micrograd"], repeat)
    pg, ref = (
        r.get("microgrand-playground", {}).get("seconds"),
        r.get("micrograd", {}).get("seconds"),
    )
    lines = [
        "",
        "## Playground: one `pg.step()` with every view refreshed (2-16-16-1, 100 moons points)",
        "",
        "Target: at most 0.14× micrograd's own training step on the same network and data "
        "(10 updates per second where micrograd takes 0.7 s).",
        "",
        "| engine | seconds per step | vs micrograd |",
        "|---|---:|---:|",
    ]
    if pg:
        lines.append(
            f"| microgrand playground (step + all heatmaps + JSON) | {pg:.4f} | {fmt_ratio(pg, ref)} |"
        )
    if ref:
        lines.append(f"| micrograd 0.1.0 (training step only) | {ref:.4f} | 1.000× |")
    return lines


def _demo_network_loss() -> tuple[Any, Callable[[], Any], Callable[[], None]]:
    """micrograd's demo network and loss on microgrand.Value, without the accuracy (which reads
    every score's number: a recording would guard on each of them)."""
    model, _, update = _micrograd_demo("microgrand")
    X, y = moons()
    import microgrand as mg

    def loss() -> Any:
        scores = [model([mg.Value(a) for a in row]) for row in X]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        return data_loss + 1e-4 * sum(p * p for p in model.parameters())

    return model, loss, update


def work_replay(engine: str) -> dict[str, float]:
    """One training step of micrograd's demo network replayed from a recording: as NumPy
    arrays, on Python floats; the same network and loss with ``nn.MLP`` (one Σ per neuron);
    the NumPy step written by hand (the floor)."""
    import microgrand as mg

    if engine == "numpy-floor":
        return {"seconds": _timeit(numpy_floor_step(), repeat=50)}
    if engine.startswith("nn-"):
        from microgrand import losses, nn

        X, y = moons()
        net = nn.MLP(2, [16, 16, 1], rng=random.Random(0))
        ps = net.parameters()

        def nn_loss(xs: Any) -> Any:
            return losses.hinge([net(x) for x in xs], y) + 1e-4 * losses.l2(ps)

        rec = mg.record(nn_loss, ps, X, arrays=engine == "nn-arrays")

        def one() -> None:
            net.zero_grad()
            rec(X)
            for p in ps:
                p.data -= 0.01 * p.grad

        return {"seconds": _timeit(one, repeat=20)}
    model, loss, update = _demo_network_loss()
    rec = mg.record(loss, model.parameters(), arrays=engine == "arrays")

    def step() -> None:
        model.zero_grad()
        rec()
        update()

    return {"seconds": _timeit(step, repeat=20)}


def numpy_floor_step() -> Callable[[], None]:
    """The 2-16-16-1 ReLU step (hinge loss + L2, SGD) on 100 points, batched by hand in NumPy."""
    import numpy as np

    X, y = moons()
    Xa, ya = np.array(X), np.array(y)[:, None]
    ws = [np.array(layer) for layer in init_weights(SIZES)]  # rows: [w..., b]
    Ws = [w[:, :-1].copy() for w in ws]
    bs = [w[:, -1].copy() for w in ws]
    n, alpha = len(X), 1e-4

    def step() -> None:
        acts, pres = [Xa], []
        for i, (W, b) in enumerate(zip(Ws, bs, strict=True)):
            z = acts[-1] @ W.T + b
            pres.append(z)
            acts.append(np.maximum(z, 0.0) if i < len(Ws) - 1 else z)
        margin = 1.0 - ya * acts[-1]
        delta = np.where(margin > 0.0, -ya / n, 0.0)
        for i in range(len(Ws) - 1, -1, -1):
            gW = delta.T @ acts[i] + 2 * alpha * Ws[i]
            gb = delta.sum(axis=0) + 2 * alpha * bs[i]
            if i:
                delta = (delta @ Ws[i]) * (pres[i - 1] > 0.0)
            Ws[i] -= 0.01 * gW
            bs[i] -= 0.01 * gb

    return step


def work_fit(engine: str, epochs: int) -> dict[str, float]:
    """The moons demo's training (``microgrand demo``: 2-16-16-1 ReLU, 100 training points, full
    batch, hinge + L2, SGD with a falling learning rate, validation each epoch), eager or
    ``compiled=True``: seconds for the whole ``fit``, this process's CPU."""
    from microgrand import data, nn, optim
    from microgrand.train import fit

    X, y01 = data.moons(150, noise=0.1, seed=0)
    y = data.to_pm1(y01)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=50, seed=0)
    model = nn.MLP(2, [16, 16, 1], activation="relu", init="uniform", rng=0)
    opt = optim.SGD(model.parameters(), lr=1.0)
    sched = optim.LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=epochs)
    t = time.process_time()
    fit(
        model,
        X_train,
        y_train,
        loss="hinge",
        optimizer=opt,
        scheduler=sched,
        epochs=epochs,
        regularization=1e-4,
        validation=(X_test, y_test),
        progress=False,
        compiled=engine == "compiled",
    )
    return {"seconds": time.process_time() - t}


FIT_EPOCHS = (1, 5, 11, 60)


def arrays_lines(repeat: int) -> list[str]:
    """The array replay and ``fit(compiled=True)`` sections of RESULTS.md."""
    engines = ["arrays", "scalar", "nn-arrays", "nn-scalar", "numpy-floor"]
    pairs = [("replay", e) for e in engines if e != "numpy-floor" or has_module("numpy")]
    if has_module("micrograd"):
        pairs.append(("mlp", "micrograd"))
    r = median_runs_of(pairs, repeat)
    sec = {e: v["seconds"] for (_, e), v in r.items()}
    ref, scalar, nn_scalar = sec.get("micrograd"), sec.get("scalar"), sec.get("nn-scalar")
    labels = {
        "arrays": ("micrograd's network and loss recorded once, replayed as NumPy arrays", scalar),
        "scalar": ("the same recording replayed on Python floats", scalar),
        "nn-arrays": (
            "`nn.MLP` + `losses.hinge` + `losses.l2` recorded, replayed as arrays",
            nn_scalar,
        ),
        "nn-scalar": ("the same, replayed on Python floats", nn_scalar),
        "numpy-floor": ("NumPy, the batched step written by hand (the floor)", scalar),
        "micrograd": ("micrograd 0.1.0", None),
    }
    lines = [
        "",
        "## The recorded step as arrays (2-16-16-1 ReLU, 100 moons points, hinge + L2, SGD)",
        "",
        "`mg.record` replays a recording as NumPy operations, one per group of alike nodes "
        "(`microgrand/array_tape.py`), with the numbers of the replay on floats bit for bit. "
        "Target: at most 0.001× micrograd's step and at least 10× faster than the replay on "
        "floats.",
        "",
        "| what | seconds per step | vs micrograd | faster than the float replay |",
        "|---|---:|---:|---:|",
    ]
    for e, (label, base) in labels.items():
        s = sec.get(e)
        if s is None:
            continue
        speed = f"{base / s:.1f}×" if base else "—"
        ratio = f"{s / ref:.5f}×" if ref else "—"
        lines.append(f"| {label} | {s:.5f} | {ratio} | {speed} |")
    fits = median_runs_of(
        [(f"fit{n}", e) for n in FIT_EPOCHS for e in ("eager", "compiled")], repeat
    )
    lines += [
        "",
        "## `fit(compiled=True)` against eager: the moons demo (`microgrand demo`)",
        "",
        "2-16-16-1 ReLU on 100 training points, full batch (one step per epoch), validation on "
        "50 points each epoch; the whole `fit`, CPU seconds. Compiled training records a batch "
        "shape only when at least `BREAK_EVEN` steps of it remain, then replays it (as arrays "
        "when NumPy is installed), checking its guards on every step. Below that many steps "
        "it runs the very same eager steps (plus one dictionary lookup per step), so there "
        "the two columns differ only by the machine's noise.",
        "",
        "| epochs | eager (s) | compiled (s) | compiled ÷ eager | compiled per step vs micrograd |",
        "|---:|---:|---:|---:|---:|",
    ]
    for n in FIT_EPOCHS:
        eg = fits.get((f"fit{n}", "eager"), {}).get("seconds")
        cp = fits.get((f"fit{n}", "compiled"), {}).get("seconds")
        if eg is None or cp is None:
            lines.append(f"| {n} | failed | failed | — | — |")
            continue
        per_step = f"{cp / n / ref:.4f}×" if ref else "—"
        lines.append(f"| {n} | {eg:.3f} | {cp:.3f} | {cp / eg:.2f} | {per_step} |")
    return lines


def sum_left(xs: list[Any]) -> Any:
    return left_fold(xs)


def plain_step(W: list[list[list[float]]], X: list[list[float]], y: list[float]) -> None:
    """Forward and backward of the same loss, written by hand with floats."""
    n = len(X)
    grads = [[[0.0] * len(neuron) for neuron in layer] for layer in W]
    loss = 0.0
    for x, yi in zip(X, y, strict=True):
        acts = [list(x)]
        pre = []
        for li, layer in enumerate(W):
            zs = [
                sum(w * a for w, a in zip(neuron, acts[-1], strict=False)) + neuron[-1]
                for neuron in layer
            ]
            pre.append(zs)
            acts.append([max(z, 0.0) for z in zs] if li < len(W) - 1 else zs)
        s = acts[-1][0]
        margin = 1 - yi * s
        if margin <= 0:
            continue
        loss += margin / n
        delta = [-yi / n]
        for li in range(len(W) - 1, -1, -1):
            a_in = acts[li]
            back = [0.0] * len(a_in)
            for j, neuron in enumerate(W[li]):
                d = delta[j]
                if li < len(W) - 1 and pre[li][j] <= 0:
                    continue
                g = grads[li][j]
                for k in range(len(a_in)):
                    g[k] += d * a_in[k]
                    back[k] += d * neuron[k]
                g[-1] += d
            delta = back
    for layer, glayer in zip(W, grads, strict=True):
        for neuron, g in zip(layer, glayer, strict=True):
            for k in range(len(neuron)):
                g[k] += 2e-4 * neuron[k]
    del loss


def work_chain(engine: str, n: int) -> dict[str, float]:
    V = _value_class(engine)
    if engine.startswith("micrograd"):
        sys.setrecursionlimit(max(10_000, 4 * n))

    def one() -> None:
        x = V(0.5)
        y = x
        for _ in range(n):
            y = (y * 0.999999 + 0.000001).relu()
        y.backward()

    return {"seconds": _timeit(one, repeat=3)}


def work_wide(engine: str, n: int) -> dict[str, float]:
    V = _value_class(engine)
    if engine.startswith("micrograd"):
        sys.setrecursionlimit(max(10_000, 4 * n))

    def one() -> None:
        xs = [V(float(i % 7)) for i in range(n)]
        if engine == "microgrand":
            import microgrand as mg

            s = mg.vsum(xs)
        else:
            s = sum(xs)
        s.backward()

    return {"seconds": _timeit(one, repeat=3)}


def work_ops(engine: str, n: int = 20_000) -> dict[str, float]:
    V = _value_class(engine)
    a, b = V(0.3), V(0.7)
    ops: dict[str, Callable[[], Any]] = {
        "add": lambda: a + b,
        "mul": lambda: a * b,
        "pow": lambda: a**2,
        "tanh": lambda: a.tanh() if hasattr(a, "tanh") else None,
        "exp": lambda: a.exp() if hasattr(a, "exp") else None,
        "relu": lambda: a.relu(),
    }
    out = {}
    for name, fn in ops.items():
        if fn() is None:
            continue

        def loop(fn: Callable[[], Any] = fn) -> None:
            for _ in range(n):
                fn()

        out[name] = _timeit(loop, repeat=5) / n * 1e9  # ns per op
    return out


def work_memory(engine: str) -> dict[str, float]:
    """Bytes per node of the MLP step's graph, measured with tracemalloc."""
    X, y = moons()
    W = init_weights(SIZES)
    V = _value_class(engine)
    if engine == "microgrand":
        import microgrand as mg

        total: Callable[[list[Any]], Any] = mg.vsum
    else:
        total = sum_left
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss, _, _ = _mlp_step_autograd(V, lambda v: v.relu(), total, W, X, y)
    loss.backward()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    nodes = count_nodes(loss)
    return {"bytes_per_node": (after - before) / nodes, "nodes": float(nodes)}


def count_nodes(root: Any) -> int:
    seen = {id(root)}
    stack = [root]
    while stack:
        v = stack.pop()
        for u in v.inputs if hasattr(type(v), "inputs") else v._prev:
            if id(u) not in seen:
                seen.add(id(u))
                stack.append(u)
    return len(seen)


def _value_class(engine: str) -> Any:
    if engine.startswith("micrograd"):
        from micrograd.engine import Value as MV

        return MV
    import microgrand as mg

    return mg.Value


def _timeit(fn: Callable[[], None], repeat: int = 5) -> float:
    # CPU time of this process (each worker runs one engine alone, single-threaded): on a
    # shared machine it is much steadier than wall time, which counts time spent waiting.
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


WORKERS: dict[str, Callable[..., dict[str, float]]] = {
    "mlp": work_mlp,
    "micrograd-code": work_micrograd_code,
    "chain": work_chain,
    "wide": work_wide,
    "ops": work_ops,
    "memory": work_memory,
    "playground": work_playground,
    "replay": work_replay,
    **{f"fit{n}": (lambda engine, n=n: work_fit(engine, n)) for n in FIT_EPOCHS},
}

# ---------------------------------------------------------------------------------------------
# The driver


def run_worker(task: str, engine: str, *args: int) -> dict[str, float] | None:
    cmd = [sys.executable, __file__, "--worker", task, engine, *map(str, args)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if p.returncode != 0:
        sys.stderr.write(f"[{task} {engine}] failed: {p.stderr.strip().splitlines()[-1:]}\n")
        return None
    result: dict[str, float] = json.loads(p.stdout.strip().splitlines()[-1])
    return result


def has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def median_runs(
    task: str, engines: list[str], repeat: int, *args: int
) -> dict[str, dict[str, float]]:
    """Interleave engines run by run so that machine noise hits them alike; take medians."""
    both = median_runs_of([(task, e) for e in engines], repeat, *args)
    return {e: r for (_, e), r in both.items()}


def median_runs_of(
    pairs: list[tuple[str, str]], repeat: int, *args: int
) -> dict[tuple[str, str], dict[str, float]]:
    """Like :func:`median_runs`, over (task, engine) pairs of different tasks, interleaved."""
    runs: dict[tuple[str, str], list[dict[str, float]]] = {pair: [] for pair in pairs}
    for _ in range(repeat):
        for task, e in pairs:
            r = run_worker(task, e, *args)
            if r is not None:
                runs[(task, e)].append(r)
    out = {}
    for pair, rs in runs.items():
        if rs:
            out[pair] = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
    return out


def fmt_ratio(x: float | None, ref: float | None) -> str:
    if x is None or ref is None or ref == 0:
        return "—"
    return f"{x / ref:.3f}×"


def gif_section() -> list[str]:
    """The 49-step GIF: the old pipeline (a Graphviz run per frame) against ``animate``."""
    sys.path.insert(0, HERE)
    from bench_gif import run as gif_run

    r = gif_run(1)
    return [
        "",
        "## Backward-pass GIF, 49 steps (`benchmarks/bench_gif.py`)",
        "",
        "| pipeline | seconds | KB | speed-up |",
        "|---|---:|---:|---:|",
        f"| before: a Graphviz run and a palette per frame, 96 dpi | {r['before_s']:.2f} | "
        f"{r['before_kb']:.0f} | 1× |",
        f"| `animate()` defaults (one layout, one palette, 72 dpi) | {r['after_s']:.2f} | "
        f"{r['after_kb']:.0f} | {r['speedup']:.1f}× |",
        f"| `animate(dpi=96)` (the old size) | {r['after_96dpi_s']:.2f} | "
        f"{r['after_96dpi_kb']:.0f} | {r['speedup_96dpi']:.1f}× |",
    ]


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--repeat", type=int, default=3, help="processes per engine and task")
    ap.add_argument("--out", default=None, help="write the Markdown table here too")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument(
        "--core",
        action="store_true",
        help="only the headline, the MLP step and memory; replaces those sections "
        "of --out and keeps the rest",
    )
    ap.add_argument(
        "--arrays-only",
        action="store_true",
        help="measure only the array replay and compiled fit (prints their sections)",
    )
    ap.add_argument(
        "--playground-only",
        action="store_true",
        help="measure only the playground step (prints its table section)",
    )
    args = ap.parse_args()
    if args.worker:
        task, engine, *rest = args.worker
        print(json.dumps(WORKERS[task](engine, *map(int, rest))))
        return 0
    if args.playground_only:
        print("\n".join(playground_lines(args.repeat)))
        return 0
    if args.arrays_only:
        section = "\n".join(arrays_lines(args.repeat))
        print(section)
        if args.out:  # replace these sections of the file, keep the rest
            with open(args.out, encoding="utf-8") as f:
                old = f.read()
            start = old.find("\n## The recorded step as arrays")
            end = old.find("\n## Playground")
            if start < 0:
                start = end = old.find("\n## Playground") if "\n## Playground" in old else len(old)
            text = old[:start] + section + old[end:]
            tmp = args.out + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, args.out)
        return 0

    engines = ["microgrand", "microgrand-same-graph", "micrograd", "plain"]
    if has_module("microgrand.nn") and has_module("microgrand.optim"):
        engines.insert(1, "microgrand-nn")
    if not has_module("micrograd"):
        sys.stderr.write("micrograd is not installed (pip install micrograd); ratios omitted\n")
        engines.remove("micrograd")
    lines = [
        "# microgrand benchmarks",
        "",
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"each figure is the median over {args.repeat} fresh processes per engine (best of 5 "
        "inside each), engines interleaved. Ratios are against micrograd in the same run.",
        "",
        "## The headline: micrograd's own demo code, one training step",
        "",
        "micrograd's `nn.py` and the demo notebook's loss (2-16-16-1 ReLU, 100 moons points, "
        "SVM loss + L2, `sum()` chains), unchanged. On microgrand the same code runs with "
        "`micrograd.engine.Value` replaced by `microgrand.Value`, the cyclic GC on.",
        "",
        "| what | seconds per step | vs micrograd |",
        "|---|---:|---:|",
    ]
    # Every figure of the headline comes from one interleaved series of fresh processes, so
    # that the load of a shared machine hits them alike.
    code_engines = ["microgrand", "recorded", "micrograd"] if has_module("micrograd") else []
    headline = median_runs_of(
        [("micrograd-code", e) for e in code_engines]
        + [("mlp", "microgrand-nn"), ("mlp", "plain")],
        args.repeat,
    )
    code = {e: r for (task, e), r in headline.items() if task == "micrograd-code"}
    plain = headline.get(("mlp", "plain"), {}).get("seconds")
    cref = code.get("micrograd", {}).get("seconds")
    code_labels = {
        "microgrand": "micrograd's code on `microgrand.Value` (eager)",
        "recorded": "the same loss recorded once with `mg.record`, replayed each step",
        "micrograd": "micrograd 0.1.0",
    }
    for e in code_engines:
        sec = code.get(e, {}).get("seconds")
        lines.append(
            f"| {code_labels[e]} | {sec:.4f} | {fmt_ratio(sec, cref)} |"
            if sec
            else f"| {code_labels[e]} | failed | — |"
        )
    nn_path = headline.get(("mlp", "microgrand-nn"), {})
    if nn_path.get("seconds"):
        lines.append(
            f"| the same step written idiomatically: `nn.MLP` + `losses` + `optim.SGD` | "
            f"{nn_path['seconds']:.4f} | {fmt_ratio(nn_path['seconds'], cref)} |"
        )
    if plain:
        lines.append(
            f"| plain floats, backprop written by hand (the floor) | {plain:.4f} | "
            f"{fmt_ratio(plain, cref)} |"
        )
    lines += [
        "",
        "## MLP training step (micrograd's demo: 2-16-16-1 ReLU, 100 points, SVM loss + L2)",
        "",
        "| engine | seconds per step | vs micrograd |",
        "|---|---:|---:|",
    ]
    mlp = median_runs("mlp", engines, args.repeat)
    ref = mlp.get("micrograd", {}).get("seconds")
    labels = {
        "microgrand": "microgrand (one Σ node per neuron)",
        "microgrand-nn": "microgrand `nn.MLP` + `losses` + `optim.SGD`",
        "microgrand-same-graph": "microgrand, micrograd's exact graph (chains of +)",
        "micrograd": "micrograd 0.1.0",
        "plain": "plain floats, backprop written by hand",
    }
    for e in engines:
        s = mlp.get(e, {}).get("seconds")
        lines.append(
            f"| {labels[e]} | {s:.4f} | {fmt_ratio(s, ref)} |"
            if s
            else f"| {labels[e]} | failed | — |"
        )

    lines += [
        "",
        "## Memory per node (tracemalloc, the MLP step's graph after backward)",
        "",
        "| engine | nodes | bytes per node |",
        "|---|---:|---:|",
    ]
    mem = median_runs("memory", ["microgrand", "micrograd"] if ref else ["microgrand"], 1)
    for e, r in mem.items():
        lines.append(f"| {e} | {int(r['nodes'])} | {r['bytes_per_node']:.0f} |")

    if args.core:
        core = "\n".join(lines) + "\n"
        print(core)
        if args.out:
            with open(args.out, encoding="utf-8") as f:
                old = f.read()
            keep = old.find("\n## Deep chain")
            text = core + (old[keep:] if keep >= 0 else "")
            tmp = args.out + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, args.out)
        return 0

    lines += [
        "",
        "## Deep chain: y = relu(y·a + b) repeated (forward + backward)",
        "",
        "| engine | 5,000 links (s) | vs micrograd | 200,000 links (s) |",
        "|---|---:|---:|---:|",
    ]
    small = median_runs(
        "chain", [e for e in ("microgrand", "micrograd") if e in engines], args.repeat, 5000
    )
    big = median_runs("chain", ["microgrand"], 1, 200_000)
    cref = small.get("micrograd", {}).get("seconds")
    for e in small:
        b = big.get(e, {}).get("seconds")
        lines.append(
            f"| {e} | {small[e]['seconds']:.4f} | {fmt_ratio(small[e]['seconds'], cref)} | "
            f"{f'{b:.3f}' if b else 'recursion limit'} |"
        )

    lines += [
        "",
        "## Wide sum of 10,000 Values (forward + backward)",
        "",
        "| engine | seconds | vs micrograd |",
        "|---|---:|---:|",
    ]
    wide = median_runs(
        "wide", [e for e in ("microgrand", "micrograd") if e in engines], args.repeat, 10_000
    )
    wref = wide.get("micrograd", {}).get("seconds")
    for e, r in wide.items():
        how = " (`vsum`: one node)" if e == "microgrand" else " (`sum`: a chain of +)"
        lines.append(f"| {e}{how} | {r['seconds']:.4f} | {fmt_ratio(r['seconds'], wref)} |")

    lines += ["", "## Creating one node (ns per operation)", ""]
    ops = median_runs("ops", [e for e in ("microgrand", "micrograd") if e in engines], args.repeat)
    names = sorted({k for r in ops.values() for k in r})
    lines += ["| op | " + " | ".join(ops) + " | ratio |", "|---|" + "---:|" * (len(ops) + 1)]
    for k in names:
        vals = [ops[e].get(k) for e in ops]
        ratio = fmt_ratio(ops.get("microgrand", {}).get(k), ops.get("micrograd", {}).get(k))
        lines.append(
            f"| {k} | " + " | ".join(f"{v:.0f}" if v else "—" for v in vals) + f" | {ratio} |"
        )
    lines += arrays_lines(args.repeat)
    lines += playground_lines(args.repeat)
    lines += gif_section()
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        tmp = args.out + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
