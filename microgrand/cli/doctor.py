"""``microgrand doctor``: which layout engine draws, and the versions (for bug reports).

The report is :func:`microgrand.doctor.doctor`'s (``mg.doctor()`` in a notebook).

Example:
    $ microgrand doctor
"""

from __future__ import annotations

import argparse
from typing import Any

from ..doctor import doctor

__all__ = ["add_commands"]


def add_commands(sub: Any) -> None:
    """Add ``microgrand doctor``."""
    d = sub.add_parser("doctor", help="show the layout engine and versions (for bug reports)")
    d.set_defaults(func=_cmd_doctor)


def _cmd_doctor(args: argparse.Namespace) -> int:
    report = doctor()
    print(report)
    return 0 if report.ok else 1
