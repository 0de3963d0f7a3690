"""Self-checking questions for the lessons: :func:`check` says whether an answer is right.

A lesson asks a question, the student writes an answer (a number, a letter, a word, a list),
and a check cell compares it with the expected one::

    q1 = 0.25                    # the student's answer
    check(q1, 0.25)              # ✓ right

The verdict displays as one line in a notebook and is truthy only when the answer is right.

Lessons keep their answers out of sight: a check cell computes the expected value from the
lesson's own values (``check(q2, e.local_grads[0])``), or compares a text answer with a salted
digest (``check(q3, hashed="sha256:…")``, made by :func:`answer_hash`), so that no answer is a
readable literal. A check says nothing about the expected value until the student has answered
it right (``note=`` is shown then). :func:`training_runs` makes real training curves of small
networks for "diagnose this loss curve" questions, shuffled so that the lesson's code does not
say which is which.

For test suites: when the environment variable ``MICROGRAND_CHECK_LOG`` names a file, every
verdict is appended to it as one JSON line (``answer``, ``expected``, ``ok``).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

__all__ = [
    "KINDS",
    "Runs",
    "TrainingRun",
    "Verdict",
    "answer_hash",
    "check",
    "log_verdict",
    "show_curves",
    "show_runs",
    "training_curve",
    "training_runs",
]

# The salt only keeps a digest from being looked up in a table of common words: the answers
# of a lesson are not secret from a student who reads the library's code.
_SALT = "microgrand-check:"
_HASHED = "sha256:"


class Verdict:
    """The result of :func:`check`: ``ok`` and a one-line ``message``; truthy when right.

    Example:
        >>> v = check(3, 3)
        >>> bool(v), v.ok, v.message
        (True, True, '✓ right')
    """

    __slots__ = ("message", "ok")

    def __init__(self, ok: bool, message: str) -> None:
        self.ok = ok
        self.message = message

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return self.message


def _same(answer: Any, expected: Any, rel_tol: float, abs_tol: float) -> bool:
    if isinstance(expected, bool) or isinstance(answer, bool):
        return isinstance(answer, bool) and isinstance(expected, bool) and answer == expected
    if isinstance(expected, int | float):
        if not isinstance(answer, int | float):
            return False
        return math.isclose(float(answer), float(expected), rel_tol=rel_tol, abs_tol=abs_tol)
    if isinstance(expected, str):
        return isinstance(answer, str) and answer.strip().lower() == expected.strip().lower()
    if isinstance(expected, Sequence):
        if isinstance(answer, str) or not isinstance(answer, Sequence):
            return False
        return len(answer) == len(expected) and all(
            _same(a, e, rel_tol, abs_tol) for a, e in zip(answer, expected, strict=True)
        )
    return bool(answer == expected)


def _normalise(answer: Any) -> str:
    if isinstance(answer, str):
        return answer.strip().lower()
    if isinstance(answer, bool):
        return repr(answer)
    if isinstance(answer, Sequence):
        return "[" + ",".join(_normalise(a) for a in answer) + "]"
    return repr(answer)


def answer_hash(answer: str | bool | Sequence[str]) -> str:
    """The salted digest of a text answer, for ``check(q, hashed=...)``.

    Text is compared ignoring case and surrounding spaces, so ``"B"`` and ``" b"`` give the
    same digest. Numbers are not hashed (a rounded answer would not match): compute the
    expected number from the lesson's own values instead.

    Example:
        >>> answer_hash("B") == answer_hash(" b ")
        True
        >>> answer_hash("B")[:7]
        'sha256:'
    """
    if isinstance(answer, int | float) and not isinstance(answer, bool):
        raise TypeError(
            "answer_hash() takes text (a letter, a word, a list of words) or True/False; "
            "for a number, compute the expected value in the check cell instead"
        )
    digest = hashlib.sha256((_SALT + _normalise(answer)).encode("utf-8")).hexdigest()
    return _HASHED + digest


def log_verdict(answer: Any, expected: Any, ok: bool) -> None:
    """Append one verdict to the file named by ``MICROGRAND_CHECK_LOG``, if any (for test
    suites that execute the lessons: they collect every answer a lesson checks).

    Example:
        >>> log_verdict(2, 2, True)  # nothing happens unless the variable is set
    """
    path = os.environ.get("MICROGRAND_CHECK_LOG")
    if not path:
        return
    line = json.dumps(
        {"answer": repr(answer), "expected": repr(expected), "ok": ok}, ensure_ascii=False
    )
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")


_BLANK = "… not answered yet: replace the ... with your answer and run the cell again"


def check(
    answer: Any,
    expected: Any = None,
    *,
    hashed: str | None = None,
    hint: str = "",
    note: str = "",
    rel_tol: float = 1e-3,
    abs_tol: float = 1e-6,
) -> Verdict:
    """Compare ``answer`` with ``expected`` and say whether it is right.

    Numbers are compared with a tolerance (``rel_tol``, ``abs_tol``: an answer rounded to
    three or four digits counts), text ignoring case and surrounding spaces (``"b"`` is
    ``"B"``), lists element by element, ``True``/``False`` exactly. An answer left as ``...``
    (or ``None``) is "not answered yet", and nothing about the right answer is shown.

    Args:
        answer: the student's answer.
        expected: the right answer, best computed from the lesson's own values.
        hashed: instead of ``expected``, the :func:`answer_hash` of a text answer, so that
            the answer is not readable in the check cell.
        hint: what to look at again when the answer is wrong.
        note: shown after a right answer (e.g. the exact value, or why it is right).
        rel_tol, abs_tol: the tolerance for numbers.

    Example:
        >>> check(0.2500, 0.25)
        ✓ right
        >>> check(6.1, 6.1000000000000085, note="the forward difference is 6.100000")
        ✓ right: the forward difference is 6.100000
        >>> check("c", hashed=answer_hash("B"), hint="a sign error makes the loss grow")
        ✗ not yet: you answered 'c'. Hint: a sign error makes the loss grow
        >>> check(..., 1.0)
        … not answered yet: replace the ... with your answer and run the cell again
    """
    if (expected is None) == (hashed is None):
        raise TypeError("check() takes the expected answer or hashed=answer_hash(...), not both")
    if hashed is not None and not (isinstance(hashed, str) and hashed.startswith(_HASHED)):
        raise ValueError(f"hashed= takes a digest made by answer_hash(), got {hashed!r}")
    if answer is Ellipsis or answer is None:
        return Verdict(False, _BLANK)
    if hashed is not None:
        try:
            ok = answer_hash(answer) == hashed
        except TypeError:
            ok = False
    else:
        ok = _same(answer, expected, rel_tol, abs_tol)
    log_verdict(answer, expected if hashed is None else hashed, ok)
    if ok:
        return Verdict(True, f"✓ right: {note}" if note else "✓ right")
    message = f"✗ not yet: you answered {answer!r}."
    if hint:
        message += f" Hint: {hint}"
    return Verdict(False, message)


def training_curve(
    lr: float, sign: float = -1.0, reset: bool = True, steps: int = 25
) -> tuple[list[float], list[float]]:
    """Fit ``2·w = 3`` by gradient descent from ``w = 0``: the loss and ``w`` after each step.

    The "diagnose this loss curve" questions of the lessons use it to make curves with known
    causes: a learning rate too large, the sign error ``sign=+1`` (``w += lr·grad``), and the
    forgotten ``zero_grad`` (``reset=False``).

    Example:
        >>> losses, ws = training_curve(0.1, steps=3)
        >>> [round(w, 3) for w in ws]
        [1.2, 1.44, 1.488]
    """
    from .context import no_grad
    from .value import Value

    w = Value(0.0)
    losses, ws = [], []
    for _ in range(steps):
        loss = (2.0 * w - 3.0) ** 2
        if reset:
            w.grad = 0.0
        loss.backward()
        with no_grad():
            w.data += sign * lr * w.grad
        losses.append(loss.data)
        ws.append(w.data)
    return losses, ws


def show_curves(curves: dict[str, tuple[list[float], list[float]]], title: str) -> None:
    """Plot curves made by :func:`training_curve`: the loss (top, log scale) and ``w`` (bottom).

    One column per curve, named by its key; the answer ``w = 1.5`` is a dashed line.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> show_curves({"A": training_curve(0.1)}, "one curve")
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        2, len(curves), figsize=(3.6 * len(curves), 4.6), sharex=True, squeeze=False
    )
    for col, (name, (losses, ws)) in enumerate(curves.items()):
        steps = range(1, len(losses) + 1)
        axes[0, col].plot(steps, losses, marker="o", ms=3)
        axes[0, col].set(title=f"curve {name}", yscale="log")
        axes[1, col].plot(steps, ws, marker="o", ms=3, color="tab:green")
        axes[1, col].axhline(1.5, color="0.6", ls="--", lw=1)
        axes[1, col].set(xlabel="step")
    axes[0, 0].set_ylabel("loss")
    axes[1, 0].set_ylabel("w (answer: 1.5)")
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()
    plt.close(fig)


# The kinds of training run :func:`training_runs` makes, each a real small network (2-8-1,
# tanh, mean squared error on two moons) trained in a way that leaves a typical mark on its
# loss curve. The settings are the library's, so a lesson that shows the curves does not show
# how they were made.
KINDS: dict[str, str] = {
    "healthy": "a sensible learning rate: the loss falls fast, then levels off",
    "lr_too_small": "a learning rate far too small: the loss creeps down",
    "lr_too_large": "a learning rate too large: every step overshoots further, the loss grows",
    "diverged": "a huge learning rate: the loss explodes until the numbers overflow",
    "sign_error": "the update adds the gradient (w += lr * grad): the loss climbs",
    "forgot_zero_grad": "zero_grad() forgotten: gradients pile up and the loss swings about",
    "init_plateau": "weights initialised near zero: a long flat start, then the loss drops",
    "minibatch_noise": "ten examples per step: a ragged curve (each step's batch loss)",
    "overfitting": "a big network on a few points: training loss falls, validation loss rises",
}


class TrainingRun:
    """One training run of :func:`training_runs`: its loss after every step.

    ``losses`` is the training loss per step, ``val_losses`` the loss on held-out points
    (only ``"overfitting"`` runs have them), ``diverged_at`` the step at which the numbers
    overflowed (``None`` when they did not). ``kind`` says how the run was made: reading it
    gives the answer away.

    Example:
        >>> run = training_runs(["healthy"], seed=0)["A"]
        >>> run.losses[-1] < run.losses[0]
        True
    """

    __slots__ = ("diverged_at", "kind", "losses", "val_losses")

    def __init__(
        self, kind: str, losses: list[float], val_losses: list[float], diverged_at: int | None
    ) -> None:
        self.kind = kind
        self.losses = losses
        self.val_losses = val_losses
        self.diverged_at = diverged_at

    def __repr__(self) -> str:
        end = (
            f"diverged at step {self.diverged_at}"
            if self.diverged_at
            else (f"final loss {self.losses[-1]:.4g}")
        )
        return f"TrainingRun({len(self.losses)} steps, {end})"


class Runs(Mapping[str, TrainingRun]):
    """Training runs labelled ``"A"``, ``"B"``, … in a shuffled order; :meth:`which` answers.

    Example:
        >>> runs = training_runs(["healthy", "sign_error"], seed=3)
        >>> sorted(runs)
        ['A', 'B']
        >>> runs[runs.which("sign_error")].kind
        'sign_error'
    """

    def __init__(self, runs: dict[str, TrainingRun]) -> None:
        self._runs = runs

    def __getitem__(self, label: str) -> TrainingRun:
        return self._runs[label]

    def __iter__(self) -> Iterator[str]:
        return iter(self._runs)

    def __len__(self) -> int:
        return len(self._runs)

    def which(self, kind: str) -> str:
        """The label of the run made with ``kind`` (for a check cell: the answer)."""
        for label, run in self._runs.items():
            if run.kind == kind:
                return label
        raise KeyError(
            f"no run of kind {kind!r} here; the runs are of kinds "
            f"{sorted(r.kind for r in self._runs.values())}"
        )


# kind -> (hidden sizes, learning rate, steps, batch size or None, training points, init scale)
_SETTINGS: dict[str, tuple[list[int], float, int, int | None, int, float]] = {
    "healthy": ([8], 0.1, 60, None, 40, 1.0),
    "lr_too_small": ([8], 0.003, 60, None, 40, 1.0),
    "lr_too_large": ([8], 0.55, 60, None, 40, 1.0),
    "diverged": ([8], 100.0, 60, None, 40, 1.0),
    "sign_error": ([8], 0.1, 60, None, 40, 1.0),
    "forgot_zero_grad": ([8], 0.1, 60, None, 40, 1.0),
    "init_plateau": ([8], 0.3, 60, None, 40, 0.02),
    "minibatch_noise": ([8], 0.05, 80, 10, 40, 1.0),
    "overfitting": ([10, 10], 0.05, 250, None, 16, 1.0),
}


def _one_run(kind: str, seed: int) -> TrainingRun:
    from . import data, losses
    from .context import no_grad
    from .functions import zero_grad
    from .nn import MLP

    hidden, lr, steps, batch, n_train, scale = _SETTINGS[kind]
    noise = 0.35 if kind == "overfitting" else 0.15
    X, labels = data.moons(n=n_train + (60 if kind == "overfitting" else 0), noise=noise, seed=seed)
    y = [1.0 if c == 1 else -1.0 for c in labels]
    X_train, y_train, X_val, y_val = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
    model = MLP(2, [*hidden, 1], activation="tanh", output_activation=None, rng=seed)
    params = model.parameters()
    if scale != 1.0:
        with no_grad():
            for p in params:
                p.data *= scale
    sign = 1.0 if kind == "sign_error" else -1.0
    rng = random.Random(seed)
    order = list(range(n_train))
    train_losses: list[float] = []
    val_losses: list[float] = []
    for step in range(steps):
        if batch is None:
            idx = order
        else:
            if step % (n_train // batch) == 0:
                rng.shuffle(order)
            start = (step % (n_train // batch)) * batch
            idx = order[start : start + batch]
        try:
            loss = losses.mse([model(X_train[i]) for i in idx], [y_train[i] for i in idx])
            if kind != "forgot_zero_grad":
                zero_grad(params)
            loss.backward()
            with no_grad():
                held_out = kind == "overfitting"
                val = losses.mse([model(x) for x in X_val], y_val) if held_out else None
                for p in params:
                    p.data += sign * lr * p.grad
        except (OverflowError, ValueError, ArithmeticError):
            return TrainingRun(kind, train_losses, val_losses, step + 1)
        train_losses.append(loss.data)
        if val is not None:
            val_losses.append(val.data)
    return TrainingRun(kind, train_losses, val_losses, None)


def training_runs(kinds: Sequence[str], *, seed: int = 0) -> Runs:
    """Train one small network per kind (see :data:`KINDS`) and label the runs A, B, … shuffled.

    Every run is real: a 2-8-1 tanh network with a linear output (2-10-10-1 on 16 points for
    ``"overfitting"``) trained by gradient descent on two moons (labels ±1, mean squared
    error); ``losses`` holds the loss of each step's batch, and ``"overfitting"`` also has the
    loss on 60 held-out points after every step (``val_losses``).
    The order of the labels depends on ``seed``, so the code of a lesson does not reveal which
    run is which; :meth:`Runs.which` gives the answer to a check cell.

    Example:
        >>> runs = training_runs(["healthy", "lr_too_small"], seed=1)
        >>> len(runs), len(runs["A"].losses)
        (2, 60)
    """
    if isinstance(kinds, str) or not kinds:
        raise ValueError("training_runs() takes a non-empty list of kinds, e.g. ['healthy']")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown kind(s) {unknown}: choose from {sorted(KINDS)}")
    if len(set(kinds)) != len(kinds):
        raise ValueError(f"each kind once, got {list(kinds)}")
    shuffled = list(kinds)
    random.Random(f"runs:{seed}").shuffle(shuffled)
    labels = [chr(ord("A") + i) for i in range(len(shuffled))]
    return Runs({label: _one_run(kind, seed) for label, kind in zip(labels, shuffled, strict=True)})


_TOP = 1e12


def show_runs(runs: Mapping[str, TrainingRun], title: str, *, validation: bool = False) -> None:
    """Plot :func:`training_runs`' curves side by side: the loss per step, log scale.

    With ``validation=True`` the validation loss is drawn too (dashed). A run that overflowed
    ends with a red ✗ at the step where it stopped.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> show_runs(training_runs(["healthy"]), "one run")
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        1, len(runs), figsize=(2.9 * len(runs), 2.8), squeeze=False, sharey=False
    )
    for ax, (label, run) in zip(axes[0], runs.items(), strict=True):
        steps = range(1, len(run.losses) + 1)
        # Curves that explode are cut at _TOP so that the axis stays readable (and finite).
        shown = [min(v, _TOP) for v in run.losses]
        ax.plot(steps, shown, lw=1.5, label="training")
        if max(run.losses, default=0.0) > _TOP:
            ax.annotate(
                f"off the chart (over {_TOP:.0e})",
                (0.04, 0.92),
                xycoords="axes fraction",
                fontsize=8,
            )
        if validation and run.val_losses:
            ax.plot(steps, run.val_losses, lw=1.5, ls="--", label="validation")
        if run.diverged_at is not None:
            last = min(run.losses[-1], _TOP) if run.losses else 1.0
            ax.plot([run.diverged_at], [last], "x", color="tab:red", ms=10, mew=2)
            ax.annotate(
                "overflow",
                (run.diverged_at, last),
                textcoords="offset points",
                xytext=(-40, -14),
                color="tab:red",
                fontsize=9,
            )
        ax.set(title=f"run {label}", xlabel="step", yscale="log")
    axes[0, 0].set_ylabel("loss")
    if validation:
        axes[0, 0].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()
    plt.close(fig)
