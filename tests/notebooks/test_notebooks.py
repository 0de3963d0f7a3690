"""The lesson notebooks: they run, their two files agree, they are lessons, they use the public API,
their prose is checked by claim cells, and their student copies give no answer away.

Every ``notebooks/NN_*.py`` / ``NN_*.ipynb`` pair is picked up by a glob, so new lessons are
tested without editing this file. Executing a notebook happens in memory: the stored files
are never rewritten by the tests (``make notebooks`` does that). Each lesson is executed once
(the ``run`` fixture, tests marked ``slow``): every test that needs the executed lesson or the
answers ``mg.check`` logged while it ran uses that one execution.

Lessons that still break a rule are listed in ``tests/lesson_rules.py`` (``PENDING``): the
rule's test is expected to fail for them (strictly: once fixed, remove the name).
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import jupytext
import lesson_rules as rules
import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager
from nbclient import NotebookClient

from microgrand.lessons import (
    PLACEHOLDER,
    AnswerLeakError,
    output_text,
    read_notebook,
    student_copy,
    teacher_copy,
)

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
STEMS = sorted(
    {p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.py")}
    | {p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
)
MAX_BYTES = 2_500_000  # stored notebooks must stay small enough to read on GitHub
PICTURES = ("image/svg+xml", "image/png")


def _pending(request: pytest.FixtureRequest, rule: str, stem: str) -> None:
    """Expect ``rule`` to fail for ``stem`` if the lesson is listed as not fixed yet."""
    if stem in rules.PENDING.get(rule, ()):
        request.applymarker(pytest.mark.xfail(
            strict=True, reason=f"{stem} breaks the rule {rule!r}: being fixed (issue 21); "
            "remove it from lesson_rules.PENDING once it passes"))


def test_lessons_exist() -> None:
    assert len(STEMS) >= 5, f"expected the lesson notebooks in {NOTEBOOKS.name}/"


def _stored(stem: str) -> Any:
    path = NOTEBOOKS / f"{stem}.ipynb"
    if not path.exists():
        pytest.fail(f"{path.name} is missing: run `make notebooks` to create it from {stem}.py")
    return nbformat.read(path, as_version=4)


def _text(stem: str) -> Any:
    path = NOTEBOOKS / f"{stem}.py"
    if not path.exists():
        pytest.fail(f"{path.name} is missing: every lesson is a .py/.ipynb pair")
    return jupytext.read(path)


def _inputs(nb: Any) -> list[tuple[str, str, tuple[str, ...], tuple[Any, ...]]]:
    return [
        (
            c.cell_type,
            c.source.strip(),
            tuple(c.get("metadata", {}).get("tags", ())),
            tuple(sorted(c.get("metadata", {}).get("jupyter", {}).items())),
        )
        for c in nb.cells
    ]


def _markdown(nb: Any) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def _python(cell_source: str) -> str:
    """The cell as plain Python (IPython magics such as ``%matplotlib`` become calls)."""
    return str(TransformerManager().transform_cell(cell_source))


# --- execution ----------------------------------------------------------------------------


def _execute(nb: Any, timeout: int = 180) -> Any:
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    return client.execute()


@pytest.mark.slow
def test_kernel_is_this_interpreter() -> None:
    """nbclient's ``python3`` kernel must run in this venv, where microgrand is installed."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import sys, microgrand\nprint(sys.prefix)")]
    _execute(nb, timeout=60)
    printed = "".join(o.get("text", "") for o in nb.cells[0].outputs).strip()
    assert Path(printed).resolve() == Path(sys.prefix).resolve()


class Run(NamedTuple):
    """A lesson's readable source (the teacher's copy, solutions and claims included) after
    one execution, and every verdict ``mg.check`` logged while it ran."""

    stem: str
    nb: Any
    checks: list[dict[str, Any]]


@pytest.fixture(scope="module", params=STEMS)
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Each lesson executed once; pytest groups the tests that use it by lesson."""
    stem = request.param
    log = tmp_path_factory.mktemp("checks") / f"{stem}.jsonl"
    nb = _text(stem)  # the readable source is what must run
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(rules.LOG_VARIABLE, str(log))
        _execute(nb, timeout=240)  # raises CellExecutionError naming the cell and the error
    checks = rules.load_log(log.read_text(encoding="utf-8")) if log.exists() else []
    return Run(stem, nb, checks)


@pytest.mark.slow
@pytest.mark.timeout(480)  # the first of a lesson's tests runs the lesson
def test_notebook_executes(run: Run) -> None:
    errors = [o for c in run.nb.cells for o in c.get("outputs", ()) if o.output_type == "error"]
    assert not errors
    checks = [c for c in run.nb.cells if rules.is_check(c)]
    assert len(run.checks) >= len(checks), "every check cell logs its verdict"
    assert all(entry["ok"] for entry in run.checks), [e for e in run.checks if not e["ok"]]


@pytest.mark.slow
@pytest.mark.timeout(480)  # the first of a lesson's tests runs the lesson
def test_claims_pass_and_print_nothing(run: Run, request: pytest.FixtureRequest) -> None:
    """A claim cell that ran without an error has passed: the lesson executed to its end.
    It shows nothing, so that the teacher's copy looks the same with or without claims."""
    _pending(request, "claim cells", run.stem)
    claims = [c for c in run.nb.cells if rules.is_claim(c)]
    assert claims, f"{run.stem} has no claim cell"
    shown = [output_text(c) for c in claims if c.outputs]
    assert not shown, f"{run.stem}: claim cells show {shown[:2]}"


@pytest.mark.slow
@pytest.mark.timeout(480)  # the first of a lesson's tests runs the lesson
def test_no_answer_in_student_copy(run: Run, request: pytest.FixtureRequest) -> None:
    """Search the student copy for every answer of the lesson: the values of the solutions'
    ``qN = …`` and every value ``mg.check`` logged while the lesson ran. How numbers and text
    are matched, and what this cannot see, is in ``tests/lesson_rules.py``."""
    _pending(request, "no answer in student copy", run.stem)
    answers = rules.solution_answers(run.nb) + rules.logged_answers(run.checks)
    assert answers, f"{run.stem}: no answers found (no solution qN = … and no check logged)"
    student = student_copy(_stored(run.stem), run.stem)
    found = rules.find_answers(student, answers)
    assert not found, f"the student copy of {run.stem} shows answers:\n" + "\n".join(found)


@pytest.mark.slow
@pytest.mark.timeout(120)
# Lesson 03's student copy stops, by design, at the first exercise the student has not written
# (its checks raise NotWrittenYet): tests/notebooks/test_build_the_engine.py runs it.
@pytest.mark.parametrize("stem", [s for s in STEMS[:3] if s != "03_build_the_engine"])
def test_student_copy_runs(stem: str, request: pytest.FixtureRequest) -> None:
    """A student copy runs from top to bottom (for the first, fast lessons): its blank answers
    are "not answered yet", never an error, never a ✓, and the check cells show no answer."""
    _pending(request, "student copy runs", stem)
    try:
        student = student_copy(_stored(stem), stem)
    except AnswerLeakError as e:
        pytest.fail(str(e))
    _execute(student)
    checks = [c for c in student.cells if rules.is_check(c)]
    assert checks
    for c in checks:
        shown = output_text(c)
        assert "not answered yet" in shown and "✓" not in shown, shown
    found = rules.find_answers({"cells": checks}, rules.solution_answers(_text(stem)))
    assert not found, "a check cell run with a blank answer shows it (cells numbered among " \
        "the check cells):\n" + "\n".join(found)


# --- the pair agrees ----------------------------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_pair_in_sync(stem: str) -> None:
    text, stored = _text(stem), _stored(stem)
    assert _inputs(stored) == _inputs(text), (
        f"{stem}.ipynb and {stem}.py differ: run `make notebooks` (or `jupytext --sync`)"
    )


@pytest.mark.parametrize("stem", STEMS)
def test_pair_metadata(stem: str) -> None:
    stored = _stored(stem)
    formats = stored.metadata.get("jupytext", {}).get("formats", "")
    assert set(formats.split(",")) == {"ipynb", "py:percent"}
    assert stored.metadata.get("kernelspec", {}).get("name") == "python3"


# --- it is a lesson -----------------------------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_title_and_goal(stem: str) -> None:
    nb = _stored(stem)
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    lines = first.source.strip().splitlines()
    assert re.match(r"# \S", lines[0]), f"first line must be a '# ' title, got {lines[0]!r}"
    assert re.search(r"\*\*Goal\b", first.source), "the first cell must state the **Goal**"


@pytest.mark.parametrize("stem", STEMS)
def test_exercises_with_hidden_solutions(stem: str) -> None:
    nb = _stored(stem)
    exercises = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "markdown" and re.search(r"^#+ .*Exercise", c.source, re.M)
    ]
    assert exercises, "a lesson needs at least one '### Exercise' heading"
    solutions = [(i, c) for i, c in enumerate(nb.cells) if "solution" in c.metadata.get("tags", ())]
    assert solutions, "each exercise needs a following code cell tagged 'solution'"
    for i, cell in solutions:
        assert cell.cell_type == "code", f"solution cell {i} must be a code cell"
        view = cell.metadata.get("jupyter", {})
        assert view.get("source_hidden") is True and view.get("outputs_hidden") is True, (
            f"solution cell {i} must hide its code and its output: "
            f"jupyter={{'source_hidden': true, 'outputs_hidden': true}}, got {view}"
        )
        assert any(j < i for j in exercises), f"solution cell {i} comes before any exercise"
    # Every exercise is followed by a solution before the next exercise starts.
    for k, start in enumerate(exercises):
        end = exercises[k + 1] if k + 1 < len(exercises) else len(nb.cells)
        assert any(start < i < end for i, _ in solutions), (
            f"exercise in cell {start} has no solution cell after it"
        )


@pytest.mark.parametrize("stem", STEMS)
def test_header_format(stem: str) -> None:
    """Every lesson opens the same way: "# NN · Title", goal, time, prerequisites, a plan."""
    first = _stored(stem).cells[0].source
    number = stem[:2]
    assert first.startswith(f"# {number} · "), f"title must start with '# {number} · '"
    assert "*Time: about" in first
    if number != "01":
        assert "Prerequisite" in first, "say which lessons come first"
    assert "In this lesson you will" in first


def test_lesson_links_work() -> None:
    """Every lesson is in the table of notebooks/README.md, and every link there exists."""
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", readme)
    for link in links:
        if "://" not in link:
            assert (NOTEBOOKS / link).exists(), f"notebooks/README.md links to missing {link}"
    for stem in STEMS:
        assert f"]({stem}.ipynb)" in readme, f"{stem} is missing from notebooks/README.md"
    root_readme = (NOTEBOOKS.parent / "README.md").read_text(encoding="utf-8")
    for link in re.findall(r"\]\((notebooks/[^)#]+)\)", root_readme):
        assert (NOTEBOOKS.parent / link).exists(), f"README.md links to missing {link}"


@pytest.mark.parametrize("stem", STEMS)
def test_summary(stem: str) -> None:
    nb = _stored(stem)
    assert any(re.search(r"^#+ .*Summary", s, re.M) for s in _markdown(nb))


@pytest.mark.parametrize("stem", STEMS)
def test_solutions_hidden_in_the_source(stem: str) -> None:
    """The .py source keeps the hiding too: every solution and claim cell's header carries
    both flags."""
    headers = [
        line
        for line in (NOTEBOOKS / f"{stem}.py").read_text(encoding="utf-8").splitlines()
        if line.startswith("# %%") and ('"solution"' in line or '"claim"' in line)
    ]
    assert headers
    for line in headers:
        assert '"source_hidden": true' in line and '"outputs_hidden": true' in line, line


def test_handouts(tmp_path: Path) -> None:
    """`make handouts` writes what microgrand.lessons makes (the tool has no copy of its own):
    student copies without solutions and claims, teacher copies with every cell."""
    source = tmp_path / "lessons"
    source.mkdir()
    for stem in STEMS[:2]:
        shutil.copy(NOTEBOOKS / f"{stem}.ipynb", source)
    shutil.copy(NOTEBOOKS / "TEACHING.md", source)
    tool = NOTEBOOKS.parent / "tools" / "make_handouts.py"
    out = tmp_path / "out"
    for _ in range(2):  # the build folder is regenerated: a second run replaces the files
        done = subprocess.run(
            [sys.executable, str(tool), "--out", str(out), "--notebooks", str(source)],
            capture_output=True, text=True, check=False,
        )
        assert done.returncode == 0, done.stderr
    assert "2 student copies" in done.stdout and "2 teacher copies" in done.stdout
    for stem in STEMS[:2]:
        original = read_notebook(NOTEBOOKS / f"{stem}.ipynb")
        student = json.loads((out / "student" / f"{stem}.ipynb").read_text(encoding="utf-8"))
        teacher = json.loads((out / "teacher" / f"{stem}.ipynb").read_text(encoding="utf-8"))
        assert student == student_copy(original)
        assert teacher == teacher_copy(original)
    assert (out / "teacher" / "TEACHING.md").exists()
    assert not (out / "student" / "TEACHING.md").exists()


TINY_LESSON = """# %% [markdown]
# # 99 · A tiny lesson

# %%
import microgrand as mg
x = 2.5
x

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert x > 2

# %%
q1 = ...

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q1 = 5.0

# %% tags=["check"] jupyter={"source_hidden": true}
mg.check(q1, 2 * x)
"""


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_build_stores_checks_without_outputs(tmp_path: Path) -> None:
    """`make notebooks` runs a lesson and stores it as the master copy: the check's verdict
    is not stored, solution and claim cells stay collapsed, other outputs are kept."""
    (tmp_path / "99_tiny.py").write_text(TINY_LESSON, encoding="utf-8")
    tool = NOTEBOOKS.parent / "tools" / "build_notebooks.py"
    done = subprocess.run([sys.executable, str(tool), "--notebooks", str(tmp_path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    nb = nbformat.read(tmp_path / "99_tiny.ipynb", as_version=4)
    shown, claim, _, solution, check = nb.cells[1:]
    assert output_text(shown).strip() == "2.5"
    assert check.execution_count is not None and check.outputs == []
    for cell in (claim, solution):
        assert cell.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    assert _inputs(jupytext.read(tmp_path / "99_tiny.py")) == _inputs(nb)


# --- claims and student copies -------------------------------------------------------------

MIN_CLAIMS_FROM_04 = 5


@pytest.mark.parametrize("stem", STEMS)
def test_claim_cells(stem: str, request: pytest.FixtureRequest) -> None:
    """The prose is checked: claim cells (at least 5 from lesson 04 on, at least one before)
    that assert, print nothing and are collapsed. They pass when the lesson executes."""
    _pending(request, "claim cells", stem)
    claims = [(i, c) for i, c in enumerate(_text(stem).cells, 1) if rules.is_claim(c)]
    wanted = MIN_CLAIMS_FROM_04 if int(stem[:2]) >= 4 else 1
    assert len(claims) >= wanted, f"{stem} has {len(claims)} claim cells, needs {wanted}"
    for i, cell in claims:
        problems = rules.claim_problems(cell)
        assert not problems, f"{stem}: claim cell {i} " + "; ".join(problems)


@pytest.mark.parametrize("stem", STEMS)
def test_student_copy(stem: str, request: pytest.FixtureRequest) -> None:
    """The student copy (as `microgrand lessons` writes it) has no solution or claim cell, no
    stored output in a check cell, no ✓ anywhere, and a place to write each exercise."""
    _pending(request, "student copy", stem)
    try:
        student = student_copy(_stored(stem), stem)
    except AnswerLeakError as e:
        pytest.fail(str(e))
    assert not [c for c in student.cells if {"solution", "claim"} & set(_tags(c))]
    assert all(not c.outputs for c in student.cells if rules.is_check(c))
    assert "✓" not in "".join(output_text(c) for c in student.cells)
    assert student.metadata["microgrand"] == {"copy": "student"}
    cells = _stored(stem).cells
    after_prose = sum("solution" in _tags(c) and cells[i - 1].cell_type == "markdown"
                      for i, c in enumerate(cells) if i)
    assert sum(c.source == PLACEHOLDER for c in student.cells) == after_prose


def _names(tree: ast.AST) -> tuple[set[str], set[str]]:
    """The names a piece of code binds and the names it reads."""
    bound: set[str] = set()
    read: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return bound, read


@pytest.mark.parametrize("stem", STEMS)
def test_student_copy_needs_no_solution(stem: str) -> None:
    """No cell a student gets reads a name that only a solution cell defines (without the
    solutions, such a cell would raise NameError)."""
    from_solutions: set[str] = set()
    defined: set[str] = set()
    for i, cell in enumerate(_text(stem).cells, 1):
        if cell.cell_type != "code" or "claim" in _tags(cell):
            continue
        bound, read = _names(ast.parse(_python(cell.source)))
        if "solution" in _tags(cell):
            from_solutions |= bound - defined
            continue
        missing = (read & from_solutions) - defined - bound
        assert not missing, f"{stem}: cell {i} uses {sorted(missing)}, defined only by a solution"
        defined |= bound


def _quiz_calls(source: str) -> list[ast.Call]:
    return [n for n in ast.walk(ast.parse(_python(source)))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr == "quiz"]


@pytest.mark.parametrize("stem", STEMS)
def test_quizzes_do_not_reveal(stem: str, request: pytest.FixtureRequest) -> None:
    """A quiz a student can run offers no "Show answer": every ``mg.quiz`` outside a solution
    is called with ``reveal=False``."""
    _pending(request, "quizzes do not reveal", stem)
    for i, cell in enumerate(_text(stem).cells, 1):
        if cell.cell_type != "code" or {"solution", "claim"} & set(_tags(cell)):
            continue
        for call in _quiz_calls(cell.source):
            reveal = [k.value for k in call.keywords if k.arg == "reveal"]
            assert reveal and isinstance(reveal[0], ast.Constant) and reveal[0].value is False, (
                f"{stem}: the quiz in cell {i} must be mg.quiz(..., reveal=False)")


def test_quiz_detector() -> None:
    assert len(_quiz_calls("mg.quiz(L)\nprint(1)")) == 1
    assert _quiz_calls("quiz = 3") == []


SENTENCE = re.compile(r"answers are in the collapsed cells", re.I)


@pytest.mark.parametrize("stem", STEMS)
def test_no_collapsed_answers_sentence(stem: str, request: pytest.FixtureRequest) -> None:
    """Students get copies without the answers, so no lesson says they are collapsed there."""
    _pending(request, "no collapsed-cells sentence", stem)
    for path in (NOTEBOOKS / f"{stem}.py", NOTEBOOKS / f"{stem}.ipynb"):
        assert not SENTENCE.search(path.read_text(encoding="utf-8")), path.name


def test_docs_hand_out_student_copies() -> None:
    """The set-up paths hand out `microgrand lessons` copies; the docs say where hiding fails."""
    for name in ("README.md", "TEACHING.md"):
        text = (NOTEBOOKS / name).read_text(encoding="utf-8")
        assert not SENTENCE.search(text), name
        assert "microgrand lessons" in text, name
        for front_end in ("VS Code", "Colab", "GitHub"):
            assert front_end in text, f"{name} must say hiding fails in {front_end}"
    teaching = (NOTEBOOKS / "TEACHING.md").read_text(encoding="utf-8")
    setup = teaching.split("## Before the first class")[1].split("\n## ")[0]
    for path in ("laptops", "network", "nbgitpuller", "JupyterHub"):
        assert path in setup, f"TEACHING.md's set-up has no {path!r} path"
    assert "jupyter lab notebooks" not in setup, "students get student copies, not notebooks/"
    assert "microgrand lessons" in (NOTEBOOKS.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("stem", STEMS)
def test_pictures_fit_the_page(stem: str, request: pytest.FixtureRequest) -> None:
    """Every stored picture is readable at the notebook's width: the rule and how it is
    measured are in ``tests/lesson_rules.py``."""
    _pending(request, "pictures fit the page", stem)
    problems = rules.picture_problems(_stored(stem))
    assert not problems, f"{stem}:\n" + "\n".join(problems)


# --- check yourself ------------------------------------------------------------------------


def _check_section(nb: Any) -> list[Any]:
    """The cells of the lesson's "Check yourself" section (up to the summary)."""
    start = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "markdown" and re.search(r"^## Check yourself", c.source, re.M)
    ]
    assert start, "the lesson needs a '## Check yourself' section"
    cells = []
    for c in nb.cells[start[0] + 1 :]:
        if c.cell_type == "markdown" and re.search(r"^## Summary", c.source, re.M):
            break
        cells.append(c)
    return cells


def _tags(cell: Any) -> tuple[str, ...]:
    return tuple(cell.get("metadata", {}).get("tags", ()))


@pytest.mark.parametrize("stem", STEMS)
def test_check_yourself_section(stem: str, request: pytest.FixtureRequest) -> None:
    """Three or more self-checking questions; one "predict, then run"; from 05 on, a loss curve
    to diagnose. Check cells are collapsed, print nothing but the verdict of their last line
    (mg.check shows nothing of the answer until it is given), and are stored without outputs:
    a stored "✓ right" would show the answer's verdict before the student answers."""
    _pending(request, "check cells", stem)
    cells = _check_section(_stored(stem))
    checks = [c for c in cells if "check" in _tags(c)]
    assert len(checks) >= 3, f"{stem}: only {len(checks)} check cells"
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "Predict, then run" in text
    if int(stem[:2]) >= 5:
        assert "Diagnose this" in text, f"{stem} needs a 'diagnose this loss curve' question"
    for c in checks:
        assert c.metadata.get("jupyter", {}).get("source_hidden") is True
        tree = ast.parse(_python(c.source))
        calls = {n.func.id for n in ast.walk(tree)
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert not calls & {"print", "display"}, f"{stem}: a check cell prints: {c.source!r}"
        assert not c.outputs, f"{stem}: a check cell is stored with its output {output_text(c)!r}"


def _wrong(value: Any) -> Any:
    """An answer that is certainly wrong, of the same kind as ``value``."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1 + abs(value)
    if isinstance(value, str):
        return "Z" if value.strip().upper() != "Z" else "Y"
    if isinstance(value, list | tuple):
        return [_wrong(v) for v in value]
    raise AssertionError(f"no wrong answer for {value!r}")


def _run_checks(cells: list[Any], wrong: bool) -> list[Any]:
    """Run the section in this process; return the verdict of every check cell."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    show = plt.show
    plt.show = lambda *a, **k: plt.close("all")  # type: ignore[assignment]
    verdicts: list[Any] = []
    namespace: dict[str, Any] = {"__name__": "__check__"}
    try:
        for c in cells:
            if c.cell_type != "code":
                continue
            tree = ast.parse(_python(c.source))
            if "solution" in _tags(c) and wrong:
                for node in tree.body:
                    if isinstance(node, ast.Assign) and re.fullmatch(
                        r"q\d+", getattr(node.targets[0], "id", "")
                    ):
                        node.value = ast.parse(
                            repr(_wrong(ast.literal_eval(node.value))), mode="eval"
                        ).body
                ast.fix_missing_locations(tree)
            if "check" in _tags(c):
                *body, last = tree.body
                assert isinstance(last, ast.Expr), "a check cell ends with mg.check(...)"
                exec(compile(ast.Module(body, []), "<check>", "exec"), namespace)
                verdicts.append(
                    eval(compile(ast.Expression(last.value), "<check>", "eval"), namespace)
                )
            else:
                exec(compile(tree, "<cell>", "exec"), namespace)
    finally:
        plt.show = show  # type: ignore[assignment]
        plt.close("all")
    return verdicts


@pytest.mark.parametrize("stem", STEMS)
def test_checks_pass_with_solutions_and_fail_with_wrong_answers(stem: str) -> None:
    cells = _check_section(_text(stem))
    right = _run_checks(cells, wrong=False)
    assert len(right) >= 3 and all(v.ok for v in right), [repr(v) for v in right]
    wrong = _run_checks(cells, wrong=True)
    assert not any(v.ok for v in wrong), [repr(v) for v in wrong]
    assert all(repr(v).startswith("✗") for v in wrong)
    blank = [c for c in cells if "solution" not in _tags(c)]
    unanswered = _run_checks(blank, wrong=False)
    assert all(repr(v).startswith("… not answered") for v in unanswered)


# --- stored outputs -----------------------------------------------------------------------


def _is_player(output: Any) -> bool:
    html = output.get("data", {}).get("text/html", "")
    if isinstance(html, list):
        html = "".join(html)
    return isinstance(html, str) and ("mg-player" in html or ("<script" in html and "<svg" in html))


@pytest.mark.parametrize("stem", STEMS)
def test_stored_outputs(stem: str) -> None:
    nb = _stored(stem)
    code = [c for c in nb.cells if c.cell_type == "code"]
    outputs = [o for c in code for o in c.outputs]
    assert all(c.execution_count is not None for c in code), (
        f"{stem}.ipynb has cells that were never run: run `make notebooks`"
    )
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, f"stored error: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    tracebacks = [
        o for o in outputs if o.output_type == "stream" and "Traceback" in o.get("text", "")
    ]
    assert not tracebacks
    pictures = [
        o for o in outputs if any(k in o.get("data", {}) for k in PICTURES) or _is_player(o)
    ]
    assert pictures, "a lesson must show at least one diagram or plot"
    size = (NOTEBOOKS / f"{stem}.ipynb").stat().st_size
    assert size < MAX_BYTES, f"{stem}.ipynb is {size / 1e6:.1f} MB; keep it under 2 MB"


@pytest.mark.parametrize("stem", STEMS)
def test_stored_pictures_are_valid(stem: str) -> None:
    """Stored SVGs parse as XML with an <svg> root; stored PNGs have the PNG signature."""
    import base64
    import xml.etree.ElementTree as ET

    for cell in _stored(stem).cells:
        for out in cell.get("outputs", ()):
            data = out.get("data", {})
            if "image/svg+xml" in data:
                root = ET.fromstring(data["image/svg+xml"])
                assert root.tag.endswith("svg")
            if "image/png" in data:
                assert base64.b64decode(data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"


# --- public API only ----------------------------------------------------------------------


def _private_uses(source: str) -> list[str]:
    """Names starting with a single ``_`` that the code imports or reads as attributes."""
    tree = ast.parse(source)
    found: list[str] = []

    def private(name: str) -> bool:
        return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr):
            found.append(f".{node.attr}")
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if any(map(private, a.name.split(".")))]
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if any(map(private, mod.split("."))):
                found.append(mod)
            found += [f"{mod}.{a.name}" for a in node.names if private(a.name)]
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import microgrand as mg\nmg.Value(1.0)", []),
        ("import microgrand as mg\nmg.__version__", []),
        ("from microgrand.value import _apply", ["microgrand.value._apply"]),
        ("import microgrand._internal", ["microgrand._internal"]),
        ("from microgrand._x import y", ["microgrand._x"]),
        ("v = 1\nv._prev", ["._prev"]),
        ("import microgrand as mg\nmg.render._dot.build()", ["._dot"]),
    ],
)
def test_private_use_detector(source: str, expected: list[str]) -> None:
    assert _private_uses(source) == expected


@pytest.mark.parametrize("stem", STEMS)
def test_public_api_only(stem: str) -> None:
    nb = _text(stem)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        bad = _private_uses(_python(cell.source))
        assert not bad, f"cell {i} of {stem} uses private names {bad}; use the public API"


@pytest.mark.parametrize("stem", STEMS)
def test_imports_microgrand_publicly(stem: str) -> None:
    code = "\n".join(_python(c.source) for c in _text(stem).cells if c.cell_type == "code")
    tree = ast.parse(code)
    mods = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    mods |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert any(m == "microgrand" or m.startswith("microgrand.") for m in mods), (
        "a lesson uses microgrand (import microgrand as mg)"
    )
