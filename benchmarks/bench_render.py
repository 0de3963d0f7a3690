"""Rendering benchmark: how long drawing takes, from graph snapshot to SVG and PNG.

Workloads:
  * micrograd's README neuron ``tanh(x*w + b)`` (6 nodes);
  * a 2-16-16-16-1 tanh MLP on one sample, every layer (and neuron) in its own scope
    (about 1,300 nodes), drawn collapsed by layer — automatically and with ``collapse=True``
    — and with ``collapse=2`` (one box per neuron);
  * the guard: a 200,001-node chain without scopes must be refused quickly, not laid out.

Each layout engine found (system ``dot``, ``graphviz-pure``) is timed separately. Prints a
table; times are the best of ``--repeat`` runs (the machine is shared and noisy).

    python benchmarks/bench_render.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import itertools
import random
import time
from collections.abc import Callable

from microgrand import DiagramTooLargeError, Graph, Value, draw, scope, vsum
from microgrand.examples import readme_example
from microgrand.render import engines


def mlp(sizes: list[int], seed: int = 0) -> Value:
    rng = random.Random(seed)
    acts = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(sizes[0])]
    last = len(sizes) - 2
    for li, (nin, nout) in enumerate(itertools.pairwise(sizes)):
        new = []
        for j in range(nout):
            with scope(f"layer{li + 1}"), scope(f"neuron{j}"):
                ws = [Value(rng.uniform(-1, 1), label=f"w{k}") for k in range(nin)]
                b = Value(0.0, label="b")
                s = vsum([w * a for w, a in zip(ws, acts, strict=True)] + [b])
                new.append(s if li == last else s.tanh())
        acts = new
    loss = (acts[0] - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return loss


def best(fn: Callable[..., object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    neuron = readme_example()
    net = mlp([2, 16, 16, 16, 1])
    g = Graph.of(net)
    print(f"MLP 2-16-16-16-1 on one sample: {len(g)} nodes, {len(g.edges)} edges\n")

    rows: list[tuple[str, str, float]] = []
    rows.append(("Graph.of(MLP)", "-", best(lambda: Graph.of(net), args.repeat)))
    rows.append(("draw(MLP) -> DOT (auto collapse)", "-", best(lambda: draw(g).dot, args.repeat)))

    chain = Value(1.0, label="x")
    for _ in range(100_000):
        chain = chain + 1.0

    def guard() -> None:
        try:
            draw(chain)
        except DiagramTooLargeError:
            return
        raise AssertionError("the guard did not refuse a 200,001-node graph")

    rows.append(("guard refuses 200,001 nodes (incl. snapshot)", "-", best(guard, args.repeat)))

    for eng in engines():
        name = eng.name
        cases: list[tuple[str, Callable[..., object]]] = [
            ("README neuron -> SVG", lambda name=name: draw(neuron, engine=name).svg()),
            ("README neuron -> PNG", lambda name=name: draw(neuron, engine=name).png()),
            ("MLP auto-collapsed -> SVG", lambda name=name: draw(g, engine=name).svg()),
            (
                "MLP collapse=True, colour -> PNG",
                lambda name=name: draw(g, collapse=True, color="grad", engine=name).png(),
            ),
            (
                "MLP collapse=2 (per neuron) -> SVG",
                lambda name=name: draw(g, collapse=2, engine=name).svg(),
            ),
        ]
        for label, fn in cases:
            rows.append((label, name, best(fn, args.repeat)))

    w = max(len(r[0]) for r in rows)
    print(f"{'case':<{w}}  {'engine':<14}{'seconds':>9}")
    for label, eng_name, t in rows:
        print(f"{label:<{w}}  {eng_name:<14}{t:>9.3f}")


if __name__ == "__main__":
    main()
