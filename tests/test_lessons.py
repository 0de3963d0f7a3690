"""Student and teacher copies of the lessons (microgrand.lessons) and `microgrand lessons DIR`.

The copies are tested on a small made-up lesson whose every cell kind is known; the real
lessons are tested in tests/notebooks/ (and from an installed wheel in test_packaging.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import nbformat
import pytest

from microgrand import lessons
from microgrand.cli import main
from microgrand.lessons import (
    PLACEHOLDER,
    AnswerLeakError,
    code_cell,
    markdown_cell,
    read_notebook,
    stored_copy,
    student_copy,
    teacher_copy,
    write_lessons,
)


def _ran(cell: dict[str, Any], n: int, text: str) -> dict[str, Any]:
    cell["execution_count"] = n
    cell["outputs"] = [
        {
            "output_type": "execute_result",
            "execution_count": n,
            "metadata": {},
            "data": {"text/plain": text},
        }
    ]
    return cell


def _hidden(cell: dict[str, Any]) -> dict[str, Any]:
    cell["metadata"]["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
    return cell


def lesson() -> dict[str, Any]:
    """A lesson with one cell of every kind, executed (execution counts 1-7)."""
    cells = [
        markdown_cell("# 01 · A lesson", "m0"),
        _ran(code_cell("x = 2.5\nx", cell_id="c1"), 1, "2.5"),
        _hidden(_ran(code_cell("assert x > 2", ["claim"], "k2"), 2, "")),
        markdown_cell("### Exercise 1\nSquare x.", "m3"),
        _hidden(_ran(code_cell("x**2", ["solution"], "s4"), 3, "6.25")),
        _hidden(_ran(code_cell("x**3  # a second solution cell", ["solution"], "s5"), 4, "15.6")),
        markdown_cell("**1.** What is 2x?", "m6"),
        _ran(code_cell("q1 = ...", cell_id="c7"), 5, ""),
        _hidden(_ran(code_cell("q1 = 5.0", ["solution"], "s8"), 6, "")),
        _ran(code_cell("mg.check(q1, 2 * x)", ["check"], "k9"), 7, "✓ right"),
    ]
    for c in cells:
        if c["cell_type"] == "code" and not c["outputs"][0]["data"]["text/plain"]:
            c["outputs"] = []
    return {
        "cells": cells,
        "metadata": {
            "jupytext": {"formats": "ipynb,py:percent"},
            "kernelspec": {"name": "python3", "display_name": "Python 3"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _sources(nb: Any) -> list[str]:
    return [c["source"] for c in nb["cells"]]


# --- student copy ----------------------------------------------------------------------------


def test_student_copy_leaves_out_solutions_and_claims() -> None:
    original = lesson()
    before = json.dumps(original)
    student = student_copy(original)
    assert _sources(student) == [
        "# 01 · A lesson",
        "x = 2.5\nx",
        "### Exercise 1\nSquare x.",
        PLACEHOLDER,
        "**1.** What is 2x?",
        "q1 = ...",
        "mg.check(q1, 2 * x)",
    ]
    assert not [c for c in student["cells"] if {"solution", "claim"} & set(lessons.tags(c))]
    assert json.dumps(original) == before, "the original must not change"


def test_exercise_solution_becomes_one_empty_cell_with_its_id() -> None:
    student = student_copy(lesson())
    blanks = [c for c in student["cells"] if c["source"] == PLACEHOLDER]
    assert len(blanks) == 1  # two solution cells after one exercise: one place to write
    (blank,) = blanks
    assert blank["cell_type"] == "code" and blank["outputs"] == []
    assert blank["execution_count"] is None and blank["id"] == "s4"
    assert "jupyter" not in blank["metadata"]  # shown, not collapsed


def test_check_cells_keep_code_but_no_output() -> None:
    student = student_copy(lesson())
    (check,) = [c for c in student["cells"] if "check" in lessons.tags(c)]
    assert check["outputs"] == [] and check["execution_count"] is None
    assert "✓" not in json.dumps(student, ensure_ascii=False)


def test_execution_counts_numbered_again_without_gaps() -> None:
    student = student_copy(lesson())
    counts = [c["execution_count"] for c in student["cells"] if c["cell_type"] == "code"]
    assert counts == [1, None, 2, None]
    first = next(c for c in student["cells"] if c["source"] == "x = 2.5\nx")
    assert first["outputs"][0]["execution_count"] == 1


def test_student_copy_is_marked_and_unpaired() -> None:
    nb = lesson()
    nb["cells"][1]["metadata"]["lines_to_next_cell"] = 2
    student = student_copy(nb)
    assert "lines_to_next_cell" not in student["cells"][1]["metadata"]
    assert student["metadata"]["microgrand"] == {"copy": "student"}
    assert "jupytext" not in student["metadata"]
    assert student["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("where", ["stream", "html", "error"])
def test_a_stored_tick_fails_loudly(where: str) -> None:
    nb = lesson()
    cell = nb["cells"][1]
    if where == "stream":
        cell["outputs"] = [
            {
                "output_type": "stream",
                "name": "stdout",
                "text": ["checking\n", "✓ all 9 values agree\n"],
            }
        ]
    elif where == "html":
        cell["outputs"][0]["data"]["text/html"] = "<p>✓ right</p>"
    else:
        cell["outputs"] = [{"output_type": "error", "ename": "E", "evalue": "✓ x", "traceback": []}]
    with pytest.raises(AnswerLeakError, match=r"lesson 07: the stored output of cell 2 shows '✓'"):
        student_copy(nb, "lesson 07")


def test_a_tick_in_a_removed_or_cleared_cell_is_fine() -> None:
    nb = lesson()
    nb["cells"][4]["outputs"][0]["data"]["text/plain"] = "✓ solved"  # a solution: removed
    assert "✓" not in json.dumps(student_copy(nb), ensure_ascii=False)


def test_copies_of_nbformat_notebooks_are_valid_notebooks() -> None:
    nb = nbformat.from_dict(lesson())
    for made in (student_copy(nb), teacher_copy(nb), stored_copy(nb)):
        assert isinstance(made, nbformat.NotebookNode)
        nbformat.validate(made)
        nbformat.writes(made)


# --- teacher copy and the stored lesson ------------------------------------------------------


def test_teacher_copy_shows_solutions_and_keeps_claims_collapsed() -> None:
    original = lesson()
    teacher = teacher_copy(original)
    assert _sources(teacher) == _sources(original)
    for old, new in zip(original["cells"], teacher["cells"], strict=True):
        kind = lessons.tags(new)
        view = new["metadata"].get("jupyter", {})
        if "solution" in kind:
            assert not view.get("source_hidden") and not view.get("outputs_hidden")
        elif "claim" in kind:
            assert view == {"source_hidden": True, "outputs_hidden": True}
        assert new.get("outputs") == old.get("outputs")
    assert teacher["metadata"]["microgrand"] == {"copy": "teacher"}


def test_teacher_copy_hides_a_claim_that_was_not_hidden() -> None:
    nb = lesson()
    del nb["cells"][2]["metadata"]["jupyter"]
    view = teacher_copy(nb)["cells"][2]["metadata"]["jupyter"]
    assert view == {"source_hidden": True, "outputs_hidden": True}


def test_stored_copy_clears_check_outputs_and_hides_answers() -> None:
    nb = lesson()
    nb["cells"][4]["metadata"].pop("jupyter")
    stored = stored_copy(nb)
    check = stored["cells"][9]
    assert check["outputs"] == [] and check["execution_count"] == 7
    assert stored["cells"][4]["metadata"]["jupyter"] == {
        "source_hidden": True,
        "outputs_hidden": True,
    }
    assert stored["cells"][1]["outputs"] == nb["cells"][1]["outputs"]


# --- writing the copies ----------------------------------------------------------------------


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "source"
    folder.mkdir()
    for name in ("01_one", "02_two"):
        (folder / f"{name}.ipynb").write_text(json.dumps(lesson()), encoding="utf-8")
    (folder / "README.md").write_text("the lessons\n", encoding="utf-8")
    (folder / "TEACHING.md").write_text("how to teach\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a lesson\n", encoding="utf-8")
    return folder


def test_write_lessons_student(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "class" / "week1"  # created, parents too
    written = write_lessons(out, source=source)
    assert [p.name for p in written] == ["01_one.ipynb", "02_two.ipynb"]
    assert sorted(p.name for p in out.iterdir()) == ["01_one.ipynb", "02_two.ipynb"]
    for p in written:
        assert read_notebook(p) == json.loads(json.dumps(student_copy(lesson())))
        nbformat.validate(nbformat.read(p, as_version=4))


def test_write_lessons_teacher_with_the_docs(source: Path, tmp_path: Path) -> None:
    written = write_lessons(tmp_path / "t", teacher=True, source=source, only=["02"])
    assert [p.name for p in written] == ["02_two.ipynb", "README.md", "TEACHING.md"]
    assert (tmp_path / "t" / "TEACHING.md").read_text() == "how to teach\n"


def test_write_lessons_never_replaces_lessons_silently(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "class"
    out.mkdir()
    (out / "01_one.ipynb").write_text("my edits", encoding="utf-8")
    (out / "mine.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(FileExistsError, match=r"already has 01_one\.ipynb.*--force"):
        write_lessons(out, source=source)
    assert (out / "01_one.ipynb").read_text() == "my edits"
    assert not (out / "02_two.ipynb").exists(), "nothing is written when refusing"
    write_lessons(out, source=source, force=True)
    assert read_notebook(out / "01_one.ipynb")["metadata"]["microgrand"]["copy"] == "student"
    assert (out / "mine.txt").read_text() == "keep"


def test_write_lessons_refuses_a_file(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("x")
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        write_lessons(target, source=source)


def test_a_leak_writes_nothing(source: Path, tmp_path: Path) -> None:
    nb = lesson()
    nb["cells"][1]["outputs"][0]["data"]["text/plain"] = "✓ all agree"
    (source / "02_two.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(AnswerLeakError, match="02_two"):
        write_lessons(tmp_path / "out", source=source)
    assert not (tmp_path / "out").exists()


def test_unknown_lesson_and_empty_source(source: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no lesson matches '07'; the lessons are 01_one, 02_two"):
        write_lessons(tmp_path / "out", source=source, only=["07"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no lessons"):
        write_lessons(tmp_path / "out", source=tmp_path / "empty")


def test_read_notebook_names_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "01_bad.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"01_bad\.ipynb' is not a notebook"):
        read_notebook(bad)


def test_lessons_ship_with_the_package_or_the_clone() -> None:
    folder = lessons.lesson_dir()
    assert folder.name in ("lessons_data", "notebooks")
    assert len(lessons.lesson_paths()) >= 12


# --- the command -----------------------------------------------------------------------------


def test_cli_writes_student_and_teacher_copies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lessons", str(tmp_path / "s"), "--only", "01,02"]) == 0
    assert "wrote 2 student copies" in capsys.readouterr().out
    student = nbformat.read(tmp_path / "s" / "01_derivatives.ipynb", as_version=4)
    assert student.metadata["microgrand"] == {"copy": "student"}
    assert not [c for c in student.cells if "solution" in c.metadata.get("tags", ())]
    assert main(["lessons", str(tmp_path / "t"), "--teacher", "--only", "01"]) == 0
    assert "wrote 1 teacher copy" in capsys.readouterr().out
    names = sorted(p.name for p in (tmp_path / "t").iterdir())
    assert names == ["01_derivatives.ipynb", "README.md", "TEACHING.md"]


def test_cli_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lessons", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(lessons.lesson_paths())
    assert lines[0].split()[:2] == ["01_derivatives", "01"]


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


def test_cli_refuses_existing_lessons(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lessons", str(tmp_path), "--only", "01"]) == 0
    capsys.readouterr()
    assert main(["lessons", str(tmp_path), "--only", "01"]) == 1
    assert "already has 01_derivatives.ipynb" in _error(capsys)
    assert main(["lessons", str(tmp_path), "--only", "01", "--force"]) == 0


def test_cli_dir_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "f").write_text("x")
    assert main(["lessons", str(tmp_path / "f"), "--only", "01"]) == 2
    assert _error(capsys).startswith("microgrand lessons: ")


def test_cli_bad_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lessons"]) == 2
    assert "give a folder" in _error(capsys)
    assert main(["lessons", "somewhere", "--only", "99"]) == 2
    assert "no lesson matches '99'" in _error(capsys)


def test_cli_unwritable_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.access

    def access(path: Any, mode: int, **kw: Any) -> bool:  # a folder we may not write in
        return (
            False if Path(path) == tmp_path.resolve() and mode & os.W_OK else real(path, mode, **kw)
        )

    monkeypatch.setattr(os, "access", access)
    assert main(["lessons", str(tmp_path), "--only", "01"]) == 1
    assert "cannot write into" in _error(capsys)
    assert not list(tmp_path.iterdir())


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_cli_read_only_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tmp_path.chmod(0o555)
    try:
        assert main(["lessons", str(tmp_path / "class"), "--only", "01"]) == 1
        assert "cannot write into" in _error(capsys)
    finally:
        tmp_path.chmod(0o755)


def test_a_pages_program_is_not_what_a_reader_sees_but_its_data_is() -> None:
    """A page's script may hold the words it will show ("✓ right"): not on the screen until a
    student answers. Its JSON data and its markup are what the page shows."""
    from microgrand.lessons import output_text

    html = (
        '<div><img src="x"><script type="application/json" class="mg-model">{"a": "data ✓"}'
        '</script><script>var s = "✓ right";</script><p>shown</p></div>'
    )
    cell = {"outputs": [{"output_type": "display_data", "data": {"text/html": html}}]}
    text = output_text(cell)
    assert "data ✓" in text and "shown" in text and "✓ right" not in text
