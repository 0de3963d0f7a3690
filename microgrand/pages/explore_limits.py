"""The explorer's size limits: how many boxes a view may show, how many views a page lays
out, how large the page may be, and what the page says about what it left out (see
:mod:`microgrand.pages.explore`).

Example:
    >>> from microgrand import Value
    >>> from microgrand.pages.explore import explore
    >>> e = explore(Value(2.0, label="x") * 3)
    >>> isinstance(too_many(e.views[""], has_groups=False, max_nodes=2), ExploreTooLargeError)
    True
"""

from __future__ import annotations

from collections.abc import Mapping

from ..render.plan import scope_prefixes
from ..render.views import Group, View

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_NODES",
    "DEFAULT_MAX_VIEWS",
    "ExploreTooLargeError",
    "drop_for_size",
    "refuse_views",
    "too_many",
]

DEFAULT_MAX_NODES = 150
"""The most boxes (values and collapsed groups) one view of the explorer shows."""

DEFAULT_MAX_BYTES = 10_000_000
"""The largest explorer page, in bytes."""

DEFAULT_MAX_VIEWS = 100
"""The most views one explorer page lays out (one layout run each, about 30 ms, and 20 ms
to hook its SVG)."""


class ExploreTooLargeError(ValueError):
    """The explorer's opening view is over ``max_nodes`` or the page over ``max_bytes``."""


def refuse_views(
    views: Mapping[str, View],
    groups: Mapping[str, Group],
    focus: str,
    max_nodes: int,
    max_views: int,
) -> None:
    """Views over ``max_nodes`` say so; past ``max_views`` views the deepest are left out
    (the ones around the focus kept), each saying how to see it (``View.refused``).

    Example:
        >>> from microgrand import Value
        >>> from microgrand.pages.explore import explore
        >>> e = explore(Value(2.0, label="x") * 3)
        >>> refuse_views(e.views, e.groups, "", max_nodes=2, max_views=1)
        >>> e.views[""].refused.startswith("The top level would show 3 boxes")
        True
    """
    budget = max_views
    near = set(scope_prefixes(focus)) | {"", focus}
    order = sorted(views, key=lambda p: (p not in near, groups[p].depth if p else 0))
    for p in order:
        v = views[p]
        if v.size > max_nodes:
            v.refused = (
                f"{p or 'The top level'} would show {v.size} boxes, more than this "
                f"page's limit of {max_nodes}: explore a smaller part of the graph "
                f"(one example, one layer) or pass max_nodes={v.size}"
            )
        elif budget <= 0:
            where = f"focus={p!r}" if len(p) <= 80 else "focus= its path"
            v.refused = (
                f"{p[:80] + ('…' if len(p) > 80 else '')} was left out: this page lays "
                f"out at most {max_views} views; explore the graph again with "
                f"{where} to open the page there, or raise max_views={len(views)}"
            )
        else:
            budget -= 1


def too_many(v: View, *, has_groups: bool, max_nodes: int) -> ExploreTooLargeError:
    """The error for an opening view ``v`` over ``max_nodes``, saying how to narrow it."""
    if not has_groups:
        how = (
            "it has no scopes to collapse: build it inside `with scope('layer1'):` blocks "
            "(nn.MLP does this), explore a smaller part, or raise max_nodes="
        )
    else:
        how = (
            "put more of it inside scopes (`with scope('loss'):`, `with scope('batch'):`), "
            "explore a smaller part (one example, one layer) or raise max_nodes="
        )
    where = f"inside {v.path!r}" if v.path else "at its top level"
    return ExploreTooLargeError(
        f"this graph shows {v.size} boxes {where}, more than max_nodes={max_nodes}; "
        f"{how}{v.size} (large pages are slow)"
    )


def drop_for_size(views: Mapping[str, View], focus: str, size: int, max_bytes: int) -> None:
    """A page of ``size`` bytes is over ``max_bytes``: leave out a quarter of the views that
    can go (the deepest and largest first; never the opening view nor the groups around
    it), each saying why, or raise :class:`ExploreTooLargeError` when none can."""
    drop = [
        p
        for p, v in views.items()
        if p != focus and not v.refused and p not in scope_prefixes(focus)
    ]
    if not drop:
        raise ExploreTooLargeError(
            f"the explorer page would take {size / 1e6:.1f} MB, more than max_bytes="
            f"{max_bytes}: explore a smaller part of the graph (fewer examples, "
            f"one layer) or raise max_bytes={size}"
        )
    drop.sort(key=lambda p: (p.count("/"), len(views[p].svg)), reverse=True)
    for p in drop[: max(1, len(drop) // 4)]:
        views[p].refused = (
            f"The view of {p} was left out to keep this page under "
            f"{max_bytes / 1e6:g} MB: explore that part of the graph on its own, "
            f"or raise max_bytes={max_bytes * 2}"
        )
