"""One table per kind of learning part: datasets, losses, optimizers, activations.

A :class:`Registry` maps names to *entries*, one entry per item carrying everything its users
need (a dataset's generator and number of classes, a loss's label form and NumPy form, an
optimizer's class and default learning rate, an activation's NumPy form and initialiser).
The playground, ``fit``'s checks, the demo, the command line's choices and the page code all
read the same table, so a new item is one entry, registered once::

    from microgrand import data
    data.DATASETS.register(data.Dataset("ring", make_ring, classes=2, noise=0.1))

A registry is a read-only mapping for everyone else: ``name in DATASETS``, ``DATASETS[name]``,
``list(DATASETS)`` (every accepted name, aliases included) and :meth:`Registry.names` (the
primary names, in registration order, as menus list them).

Example:
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Colour:
    ...     name: str
    ...     label: str = ""
    >>> COLOURS = Registry("colour")
    >>> _ = COLOURS.register(Colour("red", "Red"), aliases=("crimson",))
    >>> COLOURS["crimson"].name, COLOURS.names(), list(COLOURS)
    ('red', ('red',), ['red', 'crimson'])
    >>> COLOURS.lookup("blue")
    Traceback (most recent call last):
    ...
    ValueError: unknown colour 'blue'; choose one of: 'red', 'crimson'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Protocol, TypeVar

__all__ = ["Entry", "Registry"]


class Entry(Protocol):
    """What every entry has: a ``name`` (the key) and a ``label`` (the text of a menu)."""

    @property
    def name(self) -> str: ...

    @property
    def label(self) -> str: ...


E = TypeVar("E", bound=Entry)


class Registry(Mapping[str, E]):
    """Entries of one kind by name (and by alias), in registration order.

    ``kind`` names the kind in messages (``"dataset"``: "unknown dataset 'x'; …").

    Example:
        >>> from microgrand.data import DATASETS
        >>> "moons" in DATASETS, DATASETS["moons"].classes
        (True, 2)
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, E] = {}

    def register(self, entry: E, *, aliases: Iterable[str] = (), replace: bool = False) -> E:
        """Add ``entry`` under its name (and ``aliases``); returns it.

        A name that is taken raises ``ValueError`` unless ``replace=True``.

        Example:
            >>> from microgrand.data import DATASETS, Dataset, moons
            >>> _ = DATASETS.register(Dataset("moons2", moons, classes=2), aliases=("m2",))
            >>> DATASETS["m2"].name
            'moons2'
            >>> DATASETS.unregister("moons2").name, "m2" in DATASETS
            ('moons2', False)
        """
        names = [entry.name, *aliases]
        for n in names:
            if not isinstance(n, str) or not n or n != n.strip():
                raise ValueError(f"a {self.kind} name must be a non-empty str, got {n!r}")
            if n in self._entries and not replace:
                raise ValueError(
                    f"a {self.kind} named {n!r} is registered already; "
                    "pass replace=True to replace it"
                )
        for n in names:
            self._entries[n] = entry
        return entry

    def unregister(self, name: str) -> E:
        """Remove the entry called ``name`` with all its aliases; returns it.

        Example:
            >>> from microgrand.losses import LOSSES, Loss, mse
            >>> _ = LOSSES.register(Loss("squares", mse, labels="real"))
            >>> LOSSES.unregister("squares").name
            'squares'
        """
        entry = self.lookup(name)
        for n in [n for n, e in self._entries.items() if e is entry]:
            del self._entries[n]
        return entry

    def lookup(self, name: object) -> E:
        """The entry called ``name``; ``ValueError`` listing the valid names otherwise.

        Example:
            >>> from microgrand.optim import OPTIMIZERS
            >>> OPTIMIZERS.lookup("adam").lr
            0.01
        """
        if isinstance(name, str) and name in self._entries:
            return self._entries[name]
        valid = ", ".join(map(repr, self._entries))
        raise ValueError(f"unknown {self.kind} {name!r}; choose one of: {valid}")

    def names(self) -> tuple[str, ...]:
        """The primary names (no aliases), in registration order.

        Example:
            >>> from microgrand.nn import ACTIVATIONS
            >>> ACTIVATIONS.names()[:2]
            ('tanh', 'relu')
        """
        return tuple(n for n, e in self._entries.items() if e.name == n)

    def entries(self) -> list[E]:
        """The entries (each once), in registration order.

        Example:
            >>> from microgrand.losses import LOSSES
            >>> [e.name for e in LOSSES.entries()][:2]
            ['mse', 'mae']
        """
        return [self._entries[n] for n in self.names()]

    def menu(self, names: Iterable[str] | None = None) -> list[dict[str, str]]:
        """``[{"name": …, "label": …}, …]`` for a page's menu (all primary names by default).

        Example:
            >>> from microgrand.data import DATASETS
            >>> DATASETS.menu(["moons"])
            [{'name': 'moons', 'label': 'Two moons'}]
        """
        chosen = self.names() if names is None else names
        return [{"name": n, "label": self._entries[n].label or n} for n in chosen]

    def __getitem__(self, name: str) -> E:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}: {', '.join(self.names())})"
