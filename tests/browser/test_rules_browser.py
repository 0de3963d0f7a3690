"""Every rule's JavaScript forms, run by ``engine.js`` in real Chromium, against Python.

The same cases as ``tests/test_rules_js.py`` (2,000+ inputs per rule, edge and extreme values
and inputs outside the domain included), evaluated in a page: a rule whose forms use only
exactly rounded operations (``Rule.browser_exact``) must give Python's floats bit for bit, the
sign of zero included; the others may differ by at most ``MAX_ULPS`` units in the last place
(Chromium's ``Math.exp``, ``log``, ``sin``… are not the C library's); refusals must match.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import test_rules_js as T

from microgrand.rules import rule, rules_js

pytestmark = pytest.mark.browser

# Runs in the page: -0, ±inf and NaN travel as strings, as from node.
_RUN = """(req) => {
  const E = window.MicrograndEngine;
  const rules = E.compileRules(req.rules);
  const out = req.cases.map((c) => E.applyRule(rules, c.op, c.param, c.xs, c.text));
  return JSON.stringify(out, (k, v) => (Object.is(v, -0) ? "-0.0"
    : typeof v === "number" && !Number.isFinite(v)
      ? (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf") : v));
}"""


def test_every_rule_in_chromium(browser: Any, tmp_path: Path) -> None:
    cases = [
        {"op": name, "param": param, "xs": xs, "text": rule(name, param).text}
        for name, param in T.SPECS
        for xs in T._cases(name, param)
    ]
    page_file = tmp_path / "engine.html"
    page_file.write_text(
        "<!doctype html><html lang='en'><title>engine</title></html>", encoding="utf-8"
    )
    page = browser.new_page()
    try:
        page.goto(page_file.as_uri())
        page.add_script_tag(path=str(T.ENGINE))
        results = json.loads(page.evaluate(_RUN, {"rules": rules_js(), "cases": cases}))
    finally:
        page.close()
    per_rule: dict[tuple[str, float | None], int] = {}
    exact_checked = 0
    for case, js in zip(cases, results, strict=True):
        name, param = case["op"], case["param"]
        py = T._python(name, param, case["xs"])
        where = f"{name}({param}) at {case['xs']}"
        per_rule[(name, param)] = per_rule.get((name, param), 0) + 1
        assert js["ok"] == py["ok"], f"{where}: python {py}, chromium {js}"
        if not py["ok"]:
            assert (js["kind"], js["message"]) == (py["kind"], py["message"]), where
            continue
        for a, b in zip([py["value"], *py["local"]], [js["value"], *js["local"]], strict=True):
            assert T.agrees(name, param, a, T._num(b)), f"{where}: python {py}, chromium {js}"
        exact_checked += rule(name, param).browser_exact
    assert all(n >= 2000 for n in per_rule.values()) and len(per_rule) == len(T.SPECS), per_rule
    assert exact_checked >= 20_000
