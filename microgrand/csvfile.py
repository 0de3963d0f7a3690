"""Your own 2-D points from a CSV file, read for :func:`microgrand.data.load_csv`.

A file a teacher or student saved from a spreadsheet: two feature columns and an integer
class label per line. Only regular files are read, of bounded size, and every bad line is an
error that names the file and the line.
"""

from __future__ import annotations

import math
import os
import stat
from typing import Any

__all__ = ["MAX_CSV_BYTES", "read_points"]


MAX_CSV_BYTES = 64 * 2**20
"""The largest CSV file :func:`load_csv` reads (64 MiB, far more than ``MAX_EXAMPLES`` lines)."""


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _unquote(cell: str) -> str:
    if len(cell) >= 2 and cell[0] == cell[-1] and cell[0] in "\"'":
        return cell[1:-1].strip()
    return cell


def _read_text_file(name: str) -> str:
    """The text of a regular file of at most MAX_CSV_BYTES, or a ValueError naming the problem.

    Special files are refused before they are opened: a FIFO would block for ever and a
    device such as ``/dev/zero`` would read until memory runs out.
    """
    try:
        st = os.stat(name)
    except FileNotFoundError:
        raise FileNotFoundError(f"{name}: no such file") from None
    if stat.S_ISDIR(st.st_mode):
        raise ValueError(f"{name} is a folder; give the path of a CSV file")
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(
            f"{name} is not a regular file (a pipe or a device?); save the points "
            "to a CSV file and give its path"
        )
    if st.st_size > MAX_CSV_BYTES:
        raise ValueError(
            f"{name} is {st.st_size:,} bytes; load_csv reads files of at most "
            f"{MAX_CSV_BYTES:,} bytes"
        )
    try:
        with open(name, encoding="utf-8-sig") as f:
            text: str = f.read(MAX_CSV_BYTES + 1)
    except UnicodeDecodeError as e:
        raise ValueError(f"{name}: not a text file ({e.reason})") from None
    if len(text) > MAX_CSV_BYTES:
        raise ValueError(f"{name} grew past {MAX_CSV_BYTES:,} bytes while it was read")
    return text


def read_points(path: str | Any, *, max_examples: int) -> tuple[list[list[float]], list[int]]:
    """The points of a CSV file, at most ``max_examples`` of them: see
    :func:`microgrand.data.load_csv`, which passes its ``MAX_EXAMPLES``.

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "points.csv"
        >>> _ = p.write_text("0.5,1.0,0\\n")
        >>> read_points(p, max_examples=10)
        ([[0.5, 1.0]], [0])
    """
    import re

    name = os.fspath(path)
    text = _read_text_file(name)
    X: list[list[float]] = []
    y: list[int] = []
    seen_data = False
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = [_unquote(c.strip()) for c in re.split(r"[,;\t]", line)]
        where = f"{name} line {lineno}"
        if len(cells) != 3:
            raise ValueError(
                f"{where}: expected 3 columns (x1, x2, label), got {len(cells)}: {raw.strip()!r}"
            )
        if not seen_data:
            seen_data = True
            # A header is a first line none of whose cells is a number: a typo in one cell
            # of the first data line ("O.5,1,0") is an error, not a header.
            if not any(_is_number(c) for c in cells):
                continue
        feats: list[float] = []
        for col, cell in zip(("x1", "x2"), cells[:2], strict=True):
            try:
                v = float(cell)
            except ValueError:
                raise ValueError(f"{where}: {col} {cell!r} is not a number") from None
            if not math.isfinite(v):
                raise ValueError(f"{where}: {col} {cell!r} is not a finite number")
            feats.append(v)
        label = cells[2]
        try:
            lab = int(label)
        except ValueError:
            raise ValueError(
                f"{where}: label {label!r} is not a class index (0, 1, 2, …)"
            ) from None
        if lab < 0:
            raise ValueError(f"{where}: label {lab} is negative; use class indices 0, 1, 2, …")
        X.append(feats)
        y.append(lab)
        if len(X) > max_examples:
            raise ValueError(
                f"{name}: more than MAX_EXAMPLES = {max_examples:,} points; use fewer, or "
                "raise microgrand.data.MAX_EXAMPLES"
            )
    if not X:
        raise ValueError(f"{name}: no data lines (expected lines like '0.5,1.2,0')")
    return X, y
