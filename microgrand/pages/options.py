"""The options every diagram page shares, checked once: :class:`ViewOptions`.

The player, the explorer and the live view (and so the quiz) take ``precision``, ``rankdir``
and ``theme`` by name in their typed signatures, and keep them as one :class:`ViewOptions`,
which checks each option the same way for every view (the theme by
:func:`microgrand.render.themes.theme_named`). Their factories (:func:`microgrand.step`,
:func:`microgrand.explore`, :func:`microgrand.live`) and the command line pass the options on
unchecked: the view checks them.

Example:
    >>> ViewOptions(precision=2, theme="print").colours.name
    'print'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .._format import check_precision
from ..render.themes import Theme, ThemeName, theme_named

__all__ = ["ViewOptions"]


@dataclass(frozen=True)
class ViewOptions:
    """``precision`` (decimals), ``rankdir`` (``"LR"`` or ``"TB"``) and ``theme`` of a page,
    checked when made.

    Example:
        >>> ViewOptions(rankdir="BT")
        Traceback (most recent call last):
        ...
        ValueError: rankdir must be 'LR' or 'TB', got 'BT'
    """

    precision: int = 4
    rankdir: Literal["LR", "TB"] = "LR"
    theme: ThemeName = "light"

    def __post_init__(self) -> None:
        check_precision(self.precision)
        if self.rankdir not in ("LR", "TB"):
            raise ValueError(f"rankdir must be 'LR' or 'TB', got {self.rankdir!r}")
        theme_named(self.theme)

    @property
    def colours(self) -> Theme:
        """The :class:`~microgrand.render.themes.Theme` named by ``theme``."""
        return theme_named(self.theme)
