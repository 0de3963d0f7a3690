"""The lessons as files for a class: student copies without the answers, teacher copies with.

The twelve lessons travel with the package (package data), so ``microgrand lessons DIR``
works after a plain ``pip install microgrand``; in a clone of the repository they are read
from ``notebooks/``. A lesson is a Jupyter notebook, which is JSON: nothing here needs
Jupyter, and a notebook read by ``nbformat`` works as well as one read by :mod:`json`.

Three kinds of cell carry a tag (in ``metadata.tags``):

* ``solution``: an answer (an exercise's solution, or ``q1 = 6.1`` in "Check yourself");
* ``claim``: ``assert`` statements that check the lesson's prose against its outputs;
* ``check``: ``mg.check(q1, ...)``, which says whether the student's answer is right.

A **student copy** (:func:`student_copy`) has no solution and no claim cell: the answers are
not in the file at all, since hiding a cell only collapses it in JupyterLab and Notebook 7
(VS Code, Colab, GitHub, nbviewer and exports show hidden cells in full). An exercise's
solution becomes an empty code cell for the student's own code; check cells keep their code
(collapsed) but no output; no stored output may show a ``✓``. A **teacher copy**
(:func:`teacher_copy`) has every cell, the solutions shown and the claims collapsed.

Example:
    >>> nb = {"cells": [markdown_cell("### Exercise 1"), code_cell("x = 2", ["solution"])],
    ...       "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    >>> [c["source"] for c in student_copy(nb)["cells"]]
    ['### Exercise 1', '# your code here']
    >>> [c["source"] for c in teacher_copy(nb)["cells"]]
    ['### Exercise 1', 'x = 2']
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ._files import check_target, write_atomic

__all__ = [
    "CHECK",
    "CLAIM",
    "PLACEHOLDER",
    "SOLUTION",
    "AnswerLeakError",
    "code_cell",
    "lesson_dir",
    "lesson_paths",
    "markdown_cell",
    "output_text",
    "read_notebook",
    "stored_copy",
    "student_copy",
    "tags",
    "teacher_copy",
    "write_lessons",
]

SOLUTION = "solution"
CLAIM = "claim"
CHECK = "check"
PLACEHOLDER = "# your code here"
"""The source of the empty cell that takes an exercise solution's place in a student copy."""

PASSED = "✓"
"""What a check shows when an answer is right; no stored output of a student copy shows it."""

_PATTERN = "[0-9][0-9]_*.ipynb"
_DOCS = ("README.md", "TEACHING.md")  # written beside the teacher copies
_HIDDEN = ("source_hidden", "outputs_hidden")


class AnswerLeakError(ValueError):
    """A student copy would show an answer (a stored output with a ``✓``)."""


# --- cells ---------------------------------------------------------------------------------


def tags(cell: Any) -> tuple[str, ...]:
    """The cell's tags (``metadata.tags``), empty when it has none.

    Example:
        >>> tags(code_cell("x = 1", ["solution"]))
        ('solution',)
    """
    return tuple(cell.get("metadata", {}).get("tags", ()))


def code_cell(source: str, cell_tags: Sequence[str] = (), cell_id: str = "") -> dict[str, Any]:
    """A code cell (plain JSON) with no outputs, as Jupyter writes a cell never run.

    Example:
        >>> code_cell("1 + 1")["outputs"]
        []
    """
    metadata: dict[str, Any] = {"tags": list(cell_tags)} if cell_tags else {}
    cell: dict[str, Any] = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": metadata,
        "outputs": [],
        "source": source,
    }
    if cell_id:
        cell["id"] = cell_id
    return cell


def markdown_cell(source: str, cell_id: str = "") -> dict[str, Any]:
    """A markdown cell (plain JSON).

    Example:
        >>> markdown_cell("# Title")["cell_type"]
        'markdown'
    """
    cell: dict[str, Any] = {"cell_type": "markdown", "metadata": {}, "source": source}
    if cell_id:
        cell["id"] = cell_id
    return cell


def _joined(value: Any) -> str:
    if isinstance(value, list):
        return "".join(v if isinstance(v, str) else json.dumps(v) for v in value)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def output_text(cell: Any) -> str:
    """Everything a reader can see in a cell's stored outputs, as text: printed text, errors,
    and every text or JSON form of a displayed object (HTML, SVG, LaTeX, widget state);
    images stored in base64 (PNG, JPEG, GIF) and the code of an HTML output's scripts (not
    their JSON data) are left out.

    Example:
        >>> output_text({"outputs": [{"output_type": "stream", "name": "stdout",
        ...                           "text": ["a\\n", "b\\n"]}]})
        'a\\nb\\n'
    """
    parts: list[str] = []
    for out in cell.get("outputs", ()):
        kind = out.get("output_type")
        if kind == "stream":
            parts.append(_joined(out.get("text", "")))
        elif kind == "error":
            parts += [
                str(out.get("ename", "")),
                str(out.get("evalue", "")),
                _joined(out.get("traceback", [])),
            ]
        else:
            for mime, value in out.get("data", {}).items():
                if mime.startswith("image/") and not mime.endswith("+xml"):
                    continue
                text = _joined(value)
                parts.append(_CODE.sub("", text) if mime == "text/html" else text)
    return "\n".join(parts)


# A page's program in an HTML output (its data, <script type="application/json">, stays: the
# page shows what it holds); what a program's strings say is not on the screen until it runs.
_CODE = re.compile(r"<script(?![^>]*application/json)[^>]*>.*?</script>", re.S | re.I)


def _set_hidden(cell: Any, hidden: bool) -> None:
    metadata = cell.setdefault("metadata", {})
    view = metadata.setdefault("jupyter", {})
    for flag in _HIDDEN:
        if hidden:
            view[flag] = True
        else:
            view.pop(flag, None)
    if not view:
        metadata.pop("jupyter", None)


def _like(original: Any, result: dict[str, Any]) -> Any:
    """``result`` as the same kind of object as ``original`` (an nbformat node or a dict)."""
    if type(original) is dict:
        return result
    import nbformat  # the original came from nbformat, so it is installed

    return nbformat.from_dict(result)  # type: ignore[no-untyped-call]


def _plain(nb: Any) -> dict[str, Any]:
    return json.loads(json.dumps(nb))  # type: ignore[no-any-return]


def _mark(nb: dict[str, Any], kind: str) -> None:
    metadata = nb.setdefault("metadata", {})
    metadata.pop("jupytext", None)  # a copy is not paired with a .py source
    metadata["microgrand"] = {"copy": kind}
    for cell in nb.get("cells", []):
        cell.get("metadata", {}).pop("lines_to_next_cell", None)  # jupytext's layout


# --- the two copies --------------------------------------------------------------------------


def student_copy(nb: Any, name: str = "the lesson") -> Any:
    """The student's copy of a lesson: no answer in the file.

    Solution and claim cells are removed; a solution that follows a markdown cell directly
    (an exercise) becomes an empty code cell (:data:`PLACEHOLDER`); check cells keep their
    code but lose their outputs; the remaining cells are numbered again from 1; the notebook's
    metadata says ``{"microgrand": {"copy": "student"}}``. Raises :class:`AnswerLeakError`
    when a stored output that stays would show a ``✓`` (a check passing before the student
    answered), naming ``name`` and the cell.

    Example:
        >>> nb = {"cells": [code_cell("q1 = ..."), code_cell("q1 = 3", ["solution"]),
        ...                 code_cell("mg.check(q1, 3)", ["check"])], "metadata": {}}
        >>> [c["source"] for c in student_copy(nb)["cells"]]
        ['q1 = ...', 'mg.check(q1, 3)']
    """
    src = _plain(nb)
    cells: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for i, cell in enumerate(src.get("cells", [])):
        kind = tags(cell)
        if SOLUTION in kind or CLAIM in kind:
            if SOLUTION in kind and previous is not None and previous["cell_type"] == "markdown":
                cells.append(code_cell(PLACEHOLDER, cell_id=str(cell.get("id", ""))))
            previous = cell
            continue
        previous = cell
        if cell.get("cell_type") == "code" and CHECK in kind:
            cell["outputs"] = []
            cell["execution_count"] = None
        shown = [line for line in output_text(cell).splitlines() if PASSED in line]
        if shown:
            raise AnswerLeakError(
                f"{name}: the stored output of cell {i + 1} shows {PASSED!r} "
                f"({shown[0].strip()[:80]!r}): a student would see a check pass before "
                "answering; change that output in the lesson"
            )
        cells.append(cell)
    count = 0
    for cell in cells:
        if cell.get("cell_type") != "code" or cell.get("execution_count") is None:
            continue
        count += 1
        cell["execution_count"] = count
        for out in cell.get("outputs", []):
            if "execution_count" in out:
                out["execution_count"] = count
    src["cells"] = cells
    _mark(src, "student")
    return _like(nb, src)


def teacher_copy(nb: Any) -> Any:
    """The teacher's copy of a lesson: every cell, the solutions shown, the claims collapsed.

    The notebook's metadata says ``{"microgrand": {"copy": "teacher"}}``.

    Example:
        >>> nb = {"cells": [code_cell("assert 2 > 1", ["claim"])], "metadata": {}}
        >>> teacher_copy(nb)["cells"][0]["metadata"]["jupyter"]
        {'source_hidden': True, 'outputs_hidden': True}
    """
    src = _plain(nb)
    for cell in src.get("cells", []):
        kind = tags(cell)
        if SOLUTION in kind:
            _set_hidden(cell, False)
        elif CLAIM in kind:
            _set_hidden(cell, True)
    _mark(src, "teacher")
    return _like(nb, src)


def stored_copy(nb: Any) -> Any:
    """The lesson as the repository stores it (the teacher's master copy): solution and claim
    cells collapsed (code and output), check cells without outputs, so that the stored file
    shows no verdict of a check.

    Example:
        >>> nb = {"cells": [code_cell("x = 2", ["solution"])], "metadata": {}}
        >>> stored_copy(nb)["cells"][0]["metadata"]["jupyter"]
        {'source_hidden': True, 'outputs_hidden': True}
    """
    src = _plain(nb)
    for cell in src.get("cells", []):
        kind = tags(cell)
        if SOLUTION in kind or CLAIM in kind:
            _set_hidden(cell, True)
        if CHECK in kind and cell.get("cell_type") == "code":
            cell["outputs"] = []
    return _like(nb, src)


# --- where the lessons are -------------------------------------------------------------------


def lesson_dir() -> Path:
    """The folder of the lessons: the package's own copy, or ``notebooks/`` in a clone.

    A wheel carries the lessons as package data (``microgrand/lessons_data``); an editable
    install from a clone reads the repository's ``notebooks/``. Raises ``FileNotFoundError``
    when neither has a lesson.

    Example:
        >>> sorted(p.name for p in lesson_dir().glob("01_*.ipynb"))
        ['01_derivatives.ipynb']
    """
    here = Path(__file__).resolve().parent
    for folder in (here / "lessons_data", here.parent / "notebooks"):
        if any(folder.glob(_PATTERN)):
            return folder
    raise FileNotFoundError(
        "the lessons are not installed with this copy of microgrand "
        "(no microgrand/lessons_data/ and no notebooks/ beside the package); reinstall it "
        "from a wheel or from a clone of the repository"
    )


def lesson_paths(
    source: str | os.PathLike[str] | None = None, only: Iterable[str] = ()
) -> list[Path]:
    """The lessons ``NN_topic.ipynb`` in ``source`` (default :func:`lesson_dir`), sorted.

    ``only`` keeps the lessons whose name starts with one of its items (``"01"``,
    ``"04_neuron"``); an item that matches nothing raises ``ValueError``.

    Example:
        >>> [p.name for p in lesson_paths(only=["02"])]
        ['02_backprop.ipynb']
    """
    folder = Path(source) if source is not None else lesson_dir()
    if not folder.is_dir():
        raise FileNotFoundError(f"{str(folder)!r} is not a folder of lessons")
    paths = sorted(folder.glob(_PATTERN))
    if not paths:
        raise FileNotFoundError(f"no lessons (NN_topic.ipynb) in {str(folder)!r}")
    wanted = list(only)
    for item in wanted:
        if not any(p.name.startswith(item) for p in paths):
            raise ValueError(
                f"no lesson matches {item!r}; the lessons are " + ", ".join(p.stem for p in paths)
            )
    if wanted:
        paths = [p for p in paths if any(p.name.startswith(item) for item in wanted)]
    return paths


def read_notebook(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A notebook file as plain JSON; ``ValueError`` naming the file if it is not one.

    Example:
        >>> read_notebook(lesson_paths(only=["01"])[0])["nbformat"]
        4
    """
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{str(path)!r} is not a notebook (not JSON: {e})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError(f"{str(path)!r} is not a notebook (no list of cells)")
    return nb


def _encode(nb: Any) -> bytes:
    """A notebook as Jupyter writes it: JSON with a one-space indent, keys sorted."""
    return (json.dumps(_plain(nb), indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def write_lessons(
    directory: str | os.PathLike[str],
    teacher: bool = False,
    *,
    force: bool = False,
    source: str | os.PathLike[str] | None = None,
    only: Iterable[str] = (),
) -> list[Path]:
    """Write the student copies (or, with ``teacher=True``, the teacher copies) into
    ``directory``; returns the files written.

    Every copy is made before anything is written, so an :class:`AnswerLeakError` writes
    nothing. The folder is created if needed; other files in it are left alone. A lesson
    file already there may hold a teacher's edits, so it is replaced only with
    ``force=True``: otherwise ``FileExistsError`` names what is there. Teacher copies come
    with the lessons' ``README.md`` and ``TEACHING.md``.

    Example:
        >>> import tempfile, pathlib
        >>> with tempfile.TemporaryDirectory() as d:
        ...     [p.name for p in write_lessons(pathlib.Path(d) / "class", only=["01"],
        ...                                    teacher=True)]
        ['01_derivatives.ipynb', 'README.md', 'TEACHING.md']
    """
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(
            f"{str(folder)!r} is a file, not a folder: choose a folder for the lessons"
        )
    paths = lesson_paths(source, only)
    copies: dict[str, bytes] = {}
    for path in paths:
        nb = read_notebook(path)
        made = teacher_copy(nb) if teacher else student_copy(nb, path.stem)
        copies[path.name] = _encode(made)
    if teacher:
        for doc in _DOCS:
            if (paths[0].parent / doc).is_file():
                copies[doc] = (paths[0].parent / doc).read_bytes()
    there = [name for name in copies if (folder / name).exists()]
    if there and not force:
        shown = ", ".join(there[:3]) + (f" and {len(there) - 3} more" if len(there) > 3 else "")
        raise FileExistsError(
            f"{str(folder)!r} already has {shown}, which may hold edits: replace them "
            "with --force (force=True), or choose another folder"
        )
    folder.mkdir(parents=True, exist_ok=True)
    for name in copies:
        check_target(folder / name)  # refuse before writing any file
    return [write_atomic(folder / name, data) for name, data in copies.items()]
