"""Lesson 03 (build the engine) as students meet it: run from the top, it stops at the first
step not written yet and says what to write; every check passes once its step is written as
the lesson's solution writes it.
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path
from typing import Any

import jupytext
import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from microgrand import buildcheck as bc

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
STEM = "03_build_the_engine"
PLACEHOLDER = "# your code here"
MAIN_EXERCISES = 13  # the build: Exercises 1-13; 14-16 are "More exercises"


def _tags(cell: Any) -> tuple[str, ...]:
    return tuple(cell.get("metadata", {}).get("tags", ()))


def student_copy(nb: Any) -> Any:
    """The student's copy: solution and claim cells removed, a solution right after a markdown
    cell replaced by an empty cell to write in, check cells without outputs (the rules of
    ``microgrand lessons``, whose own function is used where it exists)."""
    try:
        from microgrand.lessons import student_copy as official  # type: ignore[import-not-found]
    except ImportError:
        official = None
    if official is not None:
        return official(nb, STEM)
    out = copy.deepcopy(nb)
    cells = []
    previous = None
    for cell in out.cells:
        kind = _tags(cell)
        if "solution" in kind or "claim" in kind:
            if "solution" in kind and previous is not None and previous.cell_type == "markdown":
                cells.append(nbformat.v4.new_code_cell(PLACEHOLDER))
            previous = cell
            continue
        previous = cell
        if cell.cell_type == "code" and "check" in kind:
            cell.outputs = []
        cells.append(cell)
    out.cells = cells
    return out


def _exercise_of_cells(nb: Any) -> list[int | None]:
    """For each cell, the number of the exercise whose heading it follows."""
    current: int | None = None
    numbers = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = re.findall(r"^### Exercise (\d+)", cell.source, re.M)
            if found:
                current = int(found[-1])
            elif re.search(r"^##? ", cell.source, re.M):  # a new section or part
                current = None
        numbers.append(current)
    return numbers


def _run_as_student(written: int) -> tuple[int | None, str]:
    """Run the lesson in this process as a student who wrote Exercises 1..``written`` as the
    solutions do, and nothing after; return where it stopped (the exercise of the check cell
    that did not pass, None when every check passed) and what that check said."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nb = jupytext.read(NOTEBOOKS / f"{STEM}.py")
    exercise = _exercise_of_cells(nb)
    namespace: dict[str, Any] = {"__name__": "__student__"}
    show = plt.show
    plt.show = lambda *a, **k: plt.close("all")  # type: ignore[assignment]
    try:
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown" and "## More exercises" in cell.source:
                break
            if cell.cell_type != "code" or "claim" in _tags(cell):
                continue
            number = exercise[i]
            if "solution" in _tags(cell) and number is not None and number > written:
                continue  # not written yet: the student's cell is still empty
            source = str(TransformerManager().transform_cell(cell.source))
            if "check" in _tags(cell):
                *body, last = ast.parse(source).body
                exec(compile(ast.Module(body, []), "<check>", "exec"), namespace)
                try:
                    verdict = eval(compile(ast.Expression(last.value), "<check>", "eval"),
                                   namespace)
                except bc.NotWrittenYet as e:
                    return number, str(e)
                if not verdict.ok:
                    return number, verdict.message
            else:
                exec(compile(source, "<cell>", "exec"), namespace)
    finally:
        plt.show = show  # type: ignore[assignment]
        plt.close("all")
    return None, ""


# What the check of each exercise says when that exercise is the first one not written yet.
EXPECTED = {n: f"Exercise {n}" for n in range(1, MAIN_EXERCISES + 1)}
EXPECTED[9] = "+="  # backward_step is Exercise 4's, with = : the check names the fix
EXPECTED[13] = "pile up"  # train is Exercise 12's, without zero_grad


@pytest.mark.parametrize("written", range(MAIN_EXERCISES + 1))
def test_a_student_stops_at_the_first_step_not_written(written: int) -> None:
    stopped, message = _run_as_student(written)
    if written == MAIN_EXERCISES:
        assert stopped is None, message  # every check of the build passes
        return
    assert stopped == written + 1, (stopped, message)
    assert EXPECTED[written + 1] in message, message
    assert "Traceback" not in message
    if written + 1 not in (9, 13):
        assert message.startswith("… not answered yet")
    else:
        assert message.startswith("✗")


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_the_student_copy_runs_to_the_first_step_and_says_what_to_write() -> None:
    """The student copy, executed as Jupyter does ("Run all"), stops at the check of Exercise 1
    with one line saying what to write, not a traceback; no cell before it fails."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    stored = nbformat.read(NOTEBOOKS / f"{STEM}.ipynb", as_version=4)
    student = student_copy(stored)
    assert not [c for c in student.cells if {"solution", "claim"} & set(_tags(c))]
    assert sum(c.source == PLACEHOLDER for c in student.cells) >= MAIN_EXERCISES
    client = NotebookClient(student, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    with pytest.raises(CellExecutionError):
        client.execute()
    errors = [(i, o) for i, c in enumerate(student.cells) for o in c.get("outputs", ())
              if o.output_type == "error"]
    assert len(errors) == 1
    i, error = errors[0]
    assert "check" in _tags(student.cells[i]) and "check_add" in student.cells[i].source
    assert error.ename == "NotWrittenYet"
    assert "Exercise 1" in error.evalue and error.evalue.startswith("… not answered yet")
    assert len(error.traceback) == 1, error.traceback  # the message alone, no traceback
    before = [c for c in student.cells[:i] if c.cell_type == "code"]
    assert before and all(c.execution_count is not None for c in before)
