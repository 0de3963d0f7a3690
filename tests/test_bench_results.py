"""The benchmarks' one writer of their sections of benchmarks/RESULTS.md."""

from __future__ import annotations

from pathlib import Path

from benchmarks.results import write_section


def test_a_section_is_replaced_in_place_or_appended(tmp_path: Path) -> None:
    p = tmp_path / "RESULTS.md"
    write_section(p, "## A\nold\n")
    write_section(p, "\n## B (`bench_b.py`)\nb\n")  # a leading blank line, as some benches write
    write_section(p, "## C\nc\n")
    write_section(p, "## B (`bench_b.py`)\nnew b\nmore\n")
    assert p.read_text() == "## A\nold\n\n## B (`bench_b.py`)\nnew b\nmore\n\n## C\nc\n"
    write_section(p, "## C\nlast\n")
    assert p.read_text().endswith("## C\nlast\n") and p.read_text().count("## C") == 1
    assert not list(tmp_path.glob("*.tmp"))
