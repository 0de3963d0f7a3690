"""Layout engines: system dot when present, else graphviz-pure found even off PATH."""

from __future__ import annotations

import os
import shutil
import sysconfig
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from microgrand import RenderError, Value, draw
from microgrand.render import choose_engine, engines, layout

SVG = "{http://www.w3.org/2000/svg}"
HAS_DOT = shutil.which("dot") is not None


def readme() -> Value:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    out = (x * w + b).tanh()
    out.label = "out ∂ × é"
    out.backward()
    return out


def texts(svg: str) -> list[str]:
    return sorted((t.text or "").strip() for t in ET.fromstring(svg).iter(f"{SVG}text"))


def no_dot_path(tmp_path: Path) -> str:
    """A PATH with every directory except those holding `dot` or graphviz-pure."""
    keep = []
    for d in os.environ.get("PATH", "").split(os.pathsep):
        if d and not (Path(d) / "dot").exists() and not (Path(d) / "graphviz-pure").exists():
            keep.append(d)
    keep.append(str(tmp_path))
    return os.pathsep.join(keep)


def test_without_dot_on_path_graphviz_pure_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", no_dot_path(tmp_path))
    monkeypatch.delenv("MICROGRAND_ENGINE", raising=False)
    assert shutil.which("dot") is None
    eng = choose_engine()
    assert eng.name == "graphviz-pure"
    # found in the interpreter's scripts directory, not on PATH
    assert Path(eng.path).parent == Path(sysconfig.get_path("scripts"))
    d = draw(readme())
    ET.fromstring(d.svg())
    assert d.png()[:4] == b"\x89PNG"
    assert "grad = 1.0000" in texts(d.svg())
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # graphviz-pure's font warnings stay hidden
    # the WebAssembly engine runs under Node.js when it is installed; never chosen by itself
    assert [e.name for e in engines() if e.name != "wasm"] == ["graphviz-pure"]


@pytest.mark.skipif(not HAS_DOT, reason="system Graphviz not installed")
def test_both_engines_give_the_same_texts() -> None:
    out = readme()
    a = draw(out, engine="dot", edge_labels=True, color="grad").svg()
    b = draw(out, engine="graphviz-pure", edge_labels=True, color="grad").svg()
    assert texts(a) == texts(b)
    assert "out ∂ × é" in texts(a)
    ids_a = {g.get("id") for g in ET.fromstring(a).iter(f"{SVG}g")}
    ids_b = {g.get("id") for g in ET.fromstring(b).iter(f"{SVG}g")}
    assert ids_a == ids_b


@pytest.mark.skipif(not HAS_DOT, reason="system Graphviz not installed")
def test_dot_preferred_and_env_var_forces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MICROGRAND_ENGINE", raising=False)
    assert choose_engine().name == "dot"
    monkeypatch.setenv("MICROGRAND_ENGINE", "graphviz-pure")
    assert choose_engine().name == "graphviz-pure"
    assert "(graphviz-pure)" in layout("digraph { a }", "svg").decode()  # its SVG comment
    monkeypatch.setenv("MICROGRAND_ENGINE", "dot")
    assert "(graphviz-pure)" not in layout("digraph { a }", "svg").decode()
    monkeypatch.setenv("MICROGRAND_ENGINE", "neato")
    with pytest.raises(ValueError, match=r"engine 'neato' \(from \$MICROGRAND_ENGINE\)"):
        choose_engine()


def test_forced_missing_engine_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", no_dot_path(tmp_path))
    with pytest.raises(RenderError, match=r"'dot'.*not found.*graphviz-pure"):
        choose_engine("dot")


def test_engine_failure_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="failed"):
        layout("digraph { a -> }", "svg", "graphviz-pure")
    with pytest.raises(ValueError, match="format"):
        layout("digraph { a }", "pdf")


def test_version_reported() -> None:
    for e in engines():
        assert e.version and e.version != "unknown"
