"""Writing a benchmark's section of ``benchmarks/RESULTS.md``, shared by the bench scripts.

Example:
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d) / "R.md"
    ...     write_section(p, "## A\\nold\\n"); write_section(p, "## B\\nb\\n")
    ...     write_section(p, "## A\\nnew\\n")
    ...     p.read_text()
    '## A\\nnew\\n\\n## B\\nb\\n'
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from microgrand._files import write_atomic


def write_section(path: str | os.PathLike[str], text: str) -> None:
    """Put ``text`` (a Markdown section: its first non-blank line is its ``## `` heading) into the file
    at ``path``: in place of the section with the same heading, up to the next ``## ``
    heading, or at the end when there is none (the file is made if missing). Written
    atomically.
    """
    p = Path(path)
    old = p.read_text(encoding="utf-8") if p.exists() else ""
    body = text.strip("\n") + "\n"
    heading = re.search(r"^" + re.escape(body.split("\n", 1)[0]) + r"$", old, re.M)
    if heading is None:
        new = old.rstrip("\n") + ("\n\n" if old.strip() else "") + body
    else:
        end = old.find("\n## ", heading.end())
        new = old[: heading.start()] + body + ("" if end < 0 else "\n" + old[end + 1 :])
    write_atomic(p, new.encode("utf-8"))
