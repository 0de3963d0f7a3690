"""The HTML player without a browser: parsed SVG hooks, unique ids, no network, guards."""

from __future__ import annotations

import base64
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from microgrand import Value
from microgrand.pages.player import PlayerTooLargeError, save_player, step
from microgrand.render import format_number
from microgrand.stepper import trace

SVG = "{http://www.w3.org/2000/svg}"


def neuron() -> Value:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    o = (x * w + b).tanh()
    o.label = "o"
    return o


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.urls: list[str] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = dict(attrs)
        if d.get("id"):
            self.ids.append(d["id"])
        for k in ("src", "href", "xlink:href"):
            if d.get(k):
                self.urls.append(str(d[k]))
        if tag == "script":
            self.scripts.append(d)


def payload_of(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" class="mg-model">(.*?)</script>', html, re.S)
    assert m is not None
    assert "<" not in m.group(1)  # nothing in the data can end the script or start a comment
    data: dict[str, Any] = json.loads(m.group(1))
    return data


def svg_of(html: str) -> ET.Element:
    m = re.search(r"<svg.*?</svg>", payload_of(html)["html"], re.S)
    assert m is not None
    return ET.fromstring(m.group(0))


def test_svg_hooks_match_the_trace() -> None:
    o = neuron()
    p = step(o)
    t = p.trace
    html = p.html(uid="t1")
    svg = svg_of(html)
    nodes = {g.get("data-id"): g for g in svg.iter(SVG + "g") if g.get("data-id")}
    assert set(nodes) == {s.id for s in t}
    for s in t:
        g = nodes[s.id]
        assert g.get("id") == f"t1-{s.id}"
        grad = next(tx for tx in g.iter(SVG + "text") if tx.get("class") == "mg-grad")
        assert grad.text == "grad = "
        span = grad.find(SVG + "tspan")
        assert span is not None and span.text == format_number(s.grad, 4)
        # the DOM contract: the name the diagram shows, the field, the exact float
        assert span.get("data-node") == p.names[s.id] and span.get("data-field") == "grad"
        assert span.get("data-number") == repr(s.grad)
        data = [e for e in g.iter(SVG + "tspan") if e.get("data-field") == "data"]
        assert len(data) == 1 and float(data[0].get("data-number") or "nan") == s.node.data
    edges = {g.get("data-edge"): g for g in svg.iter(SVG + "g") if g.get("data-edge")}
    sent = {f"e-{c.input}-{c.node}-{c.position}": c for s in t for c in s.outgoing}
    assert set(edges) == set(sent)
    for eid, c in sent.items():
        assert edges[eid].get("data-sent-at") == str(c.step)
        note = next(edges[eid].iter(SVG + "text"))
        assert note.get("class") == "mg-note"
        assert float((note.text or "").split()[-1]) == pytest.approx(c.value, rel=1e-3)
    # the steps in the embedded model follow the trace, numbers exact, no text parsed
    model = payload_of(html)["model"]
    assert [f["id"] for f in model["steps"]] == [s.id for s in t]
    for f, s in zip(model["steps"], t, strict=True):
        assert f["grad"] == s.grad
        assert [c["value"] for c in f["incoming"]] == [c.value for c in s.incoming]
        assert [(c["upstream"], c["local"]) for c in f["sends"]] == [
            (c.upstream, c.local) for c in s.outgoing
        ]
    assert [n["id"] for n in model["graph"]["nodes"]] == [n.id for n in t.graph.nodes]


def test_fallback_picture_survives_a_sanitiser() -> None:
    # What a sanitiser keeps (no script, no style, no svg): the picture and one line.
    html = step(neuron()).html(uid="f1")
    kept = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    assert "<svg" not in kept and "<style" not in kept and "data =" not in kept
    img = re.search(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', kept)
    assert img is not None
    png = base64.b64decode(img.group(1))
    with Image.open(io.BytesIO(png)) as im:
        assert im.width > 100 and im.height > 30
    text = re.sub(r"<[^>]+>", "", kept)
    assert text == "Run this cell to step through the backward pass."


def test_ids_unique_and_prefixed_no_external_resources(tmp_path: Path) -> None:
    p = step(neuron())
    h1, h2 = p._repr_html_(), p._repr_html_()
    c = Collect()
    for h in (h1, h2):  # the outer element, and the view the script puts in place
        c.feed(h)
        c.feed(payload_of(h)["html"])
    assert len(c.ids) == len(set(c.ids)) > 10
    uids = {"-".join(i.split("-")[:3]) for i in c.ids}
    assert len(uids) == 2  # two displays, two prefixes, every id under one of them
    assert all(u.startswith("data:image/png;base64,") for u in c.urls)
    assert all("src" not in s for s in c.scripts)
    for html in (h1, p.save(tmp_path / "p.html").read_text(encoding="utf-8")):
        assert not re.search(r"https?://(?!www\.w3\.org/)", html)
        assert "@import" not in html and "url(" not in html


def test_save_player_writes_a_standalone_page(tmp_path: Path) -> None:
    out = save_player(neuron(), tmp_path / "player.html")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert not list(tmp_path.glob(".*tmp"))  # atomic: no temp file left behind
    with pytest.raises(ValueError, match=r"\.html"):
        save_player(neuron(), tmp_path / "player.svg")
    with pytest.raises(FileNotFoundError):
        save_player(neuron(), tmp_path / "missing" / "p.html")


def test_frames_and_values_untouched() -> None:
    x = Value(2.0, label="x")
    y = x * x
    p = step(y)
    assert p.frames == len(trace(y)) + 1 == 3
    assert x.grad == 0.0  # the player never runs backward() on the user's Values
    assert p.explanation(2).endswith("= 2.0 + 2.0 = 4.0")
    with pytest.raises(IndexError):
        p.explanation(3)
    # frame diagrams: gradients blank until reached
    assert "grad = 4.0000" not in p.frame_diagram(1).dot
    assert "grad = 4.0000" in p.frame_diagram(2).dot


def test_large_graph_is_refused_clearly() -> None:
    x = Value(1.0, label="x")
    y = x
    for _ in range(200):
        y = y * 1.001
    with pytest.raises(PlayerTooLargeError, match=r"401 nodes, more than max_steps=150"):
        step(y)
    assert len(step(x * 2 + 1, max_steps=5)) == 5


def test_bad_options() -> None:
    with pytest.raises(ValueError, match="interval"):
        step(neuron(), interval=0)
    with pytest.raises(ValueError, match="precision"):
        step(neuron(), precision=13)
    with pytest.raises(TypeError, match="output Value or a Trace"):
        step("x*2")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="uid"):
        step(neuron()).html(uid="1 bad")
