"""Layout never stalls: cost estimated before Graphviz runs, a time budget, no engine left
behind when the command line is stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from microgrand import Value
from microgrand.cli import main
from microgrand.graph import Graph
from microgrand.render import LayoutTimeoutError, LayoutTooComplexError, draw, layout
from microgrand.render.build import MAX_LAYOUT_COST, layout_cost
from microgrand.render.engine import TIMEOUT_ENV_VAR, layout_timeout

ROOT = Path(__file__).resolve().parents[1]


def product(k: int) -> str:
    return "*".join(["x"] * k)


def hub(k: int) -> Value:
    x = Value(1.0, label="x")
    y = x
    for _ in range(k - 1):
        y = y * x
    y.backward()
    return y


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.pop(TIMEOUT_ENV_VAR, None)
    return e


def test_cost_counts_bends_of_long_edges() -> None:
    # x feeds operations at ranks 1, 3, 5, ...: the edge into the k-th product needs 2k-2
    # bends (hand count), the chain edges none.
    assert layout_cost(Graph.of(hub(10))).bends == sum(2 * k - 2 for k in range(2, 10))
    xs = [Value(1.0, label=f"x{i}") for i in range(30)]
    y = xs[0]
    for v in xs[1:]:
        y = y * v
    c = layout_cost(Graph.of(y))  # every leaf's edge spans ranks too
    assert c.bends == sum(2 * k - 2 for k in range(2, 30)) and c.hub_bends == 2 * 29 - 2
    assert layout_cost(Graph.of(Value(1.0))).bends == 0


def test_edge_labels_of_a_hub_are_left_off_with_a_note() -> None:
    d = draw(hub(100), edge_labels=True)
    assert "∂/∂" not in d.dot
    assert any("edge labels left off" in n and "'x' feeds 99" in n for n in d.notes)
    small = draw(hub(10), edge_labels=True)
    assert small.dot.count("∂/∂") == 18 and small.notes == ()
    # A teaching-size network keeps its labels: no hub, few bends.
    from microgrand import nn

    out = nn.MLP(2, [8, 8, 1], rng=0)([1.0, 2.0])
    out.backward()
    d = draw(out, edge_labels=True, collapse=False)
    assert d.notes == () and d.dot.count("∂/∂") == len(Graph.of(out).edges)


def test_hopeless_layout_refused_with_advice() -> None:
    with pytest.raises(LayoutTooComplexError, match=r"'x' feeds 199 operations.*smaller part"):
        draw(hub(200), max_nodes=1000)
    assert layout_cost(Graph.of(hub(200))).bends > MAX_LAYOUT_COST


def test_reproducers_finish(tmp_path: Path) -> None:
    # Each command took minutes (or failed after 300 s) before the cost estimate; the budget
    # here only guards against a hang on a busy machine. benchmarks/bench_layout.py times
    # them (target: under 10 s each).
    budget = ["--layout-timeout", "60"]
    assert (
        main(
            [
                "render",
                product(100),
                "x=1",
                "--edge-labels",
                "-q",
                "-o",
                str(tmp_path / "r.svg"),
                *budget,
            ]
        )
        == 0
    )
    assert "edge labels left off" in (tmp_path / "r.svg").read_text()
    assert main(["step", product(100), "x=1", "-o", str(tmp_path / "s.html"), *budget]) == 0
    assert (
        main(["step", "**".join(["x"] * 50), "x=1", "-o", str(tmp_path / "p.html"), *budget]) == 0
    )


def test_budget_is_settable_and_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    assert layout_timeout(2.5) == 2.5
    monkeypatch.setenv(TIMEOUT_ENV_VAR, "7")
    assert layout_timeout() == 7.0
    monkeypatch.setenv(TIMEOUT_ENV_VAR, "soon")
    with pytest.raises(ValueError, match=r"\$MICROGRAND_LAYOUT_TIMEOUT must be a positive"):
        layout_timeout()
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="positive number of seconds"):
            draw(Value(1.0), layout_timeout=bad)
    assert main(["render", "x", "x=1", "--layout-timeout", "0"]) == 2


def _children(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    return [int(p) for p in out.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited already


def _slow_dot() -> str:
    d = draw(hub(140), max_nodes=1000)  # just under the cost limit: seconds of layout
    return d.dot


def test_timeout_kills_the_engine() -> None:
    # Other children of this process (a browser shared by the test session) are not ours.
    before = set(_children(os.getpid()))
    t = time.monotonic()
    with pytest.raises(LayoutTimeoutError, match=r"within 0\.3 s and was stopped.*layout_timeout"):
        layout(_slow_dot(), "svg", timeout=0.3)
    assert time.monotonic() - t < 10
    assert [p for p in _children(os.getpid()) if p not in before and _alive(p)] == []


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_stopping_the_cli_leaves_no_graphviz(tmp_path: Path, sig: signal.Signals) -> None:
    cmd = [
        sys.executable,
        "-m",
        "microgrand",
        "render",
        product(140),
        "x=1",
        "-q",
        "--max-nodes",
        "1000",
        "--layout-timeout",
        "300",
        "-o",
        str(tmp_path / "g.svg"),
    ]
    proc = subprocess.Popen(cmd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        engines: list[int] = []
        deadline = time.monotonic() + 60
        while not engines and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            engines = [p for p in _children(proc.pid) if _alive(p)]
        assert engines, "the layout engine never started (or finished too fast)"
        proc.send_signal(sig)
        proc.wait(timeout=30)
        if sig == signal.SIGTERM:
            assert proc.returncode == 128 + signal.SIGTERM
            assert proc.stderr is not None and b"Traceback" not in proc.stderr.read()
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in engines) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(p) for p in engines)
        assert not (tmp_path / "g.svg").exists()
        assert list(tmp_path.iterdir()) == []
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
