"""The ``playground`` sub-command: train a network and write the recorded replay page.

Example:
    $ microgrand playground --dataset spirals --layers 8,8 --steps 300 -o run.html
    $ microgrand playground --data points.csv --layers 6 --optimizer sgd --lr 0.1 -o mine.html
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..data import DATASETS
from ..init import INITIALIZERS
from ..losses import score_losses
from ..nn import ACTIVATIONS
from ..optim import OPTIMIZERS
from ..render.themes import THEMES
from ._common import UsageError, check_output, write_stdout

__all__ = ["add_commands"]


def _layers(text: str) -> list[int]:
    try:
        return [int(t) for t in text.split(",") if t.strip()] if text.strip() else []
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--layers takes neuron counts separated by commas, e.g. 8,8; got {text!r}"
        ) from None


def add_commands(sub: Any) -> None:
    """Add ``microgrand playground``.

    Example:
        >>> from microgrand.cli import build_parser
        >>> a = build_parser().parse_args(["playground", "--layers", "8,8", "-o", "r.html"])
        >>> a.layers, a.steps, a.dataset
        ([8, 8], 300, 'moons')
    """
    p = sub.add_parser(
        "playground",
        help="train a small network on 2-D data and write a replay page (scrub every view)",
        description="Train an MLP with microgrand's own engine and write a self-contained HTML "
        "replay (no kernel, no network): decision boundary, a heatmap per neuron, weights, "
        "loss curves and gradient norms, with a scrubber over the recorded frames. Example: "
        "microgrand playground --dataset spirals --layers 8,8 --steps 300 -o run.html",
    )
    p.add_argument("-o", "--output", required=True, help="output file (.html), or - for stdout")
    # the choices are the registries' names when the parser is built (registered ones too)
    p.add_argument("--dataset", choices=DATASETS.names(), default="moons")
    p.add_argument("--data", metavar="CSV", help="your own points: x1,x2,label per line")
    p.add_argument("--n", type=int, default=200, help="number of points (default 200)")
    p.add_argument("--noise", type=float, default=0.1)
    variable = [e.name for e in DATASETS.entries() if e.classes is None]
    p.add_argument("--classes", type=int, default=2, help=f"for {' and '.join(variable)}")
    p.add_argument("--test-fraction", type=float, default=0.3)
    p.add_argument("--layers", type=_layers, default=[8, 8], help="hidden sizes, e.g. 8,8")
    p.add_argument("--activation", choices=ACTIVATIONS.names(), default="tanh")
    p.add_argument("--init", choices=("auto", *INITIALIZERS), default="auto", metavar="NAME",
                   help=f"weight initialiser: auto or {', '.join(INITIALIZERS)}")  # fmt: skip
    p.add_argument("--loss", choices=("auto", *score_losses()), default="auto")
    p.add_argument("--optimizer", choices=OPTIMIZERS.names(), default="adam")
    p.add_argument("--lr", type=float, default=0.03, help="learning rate")
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--l2", type=float, default=0.0, help="L2 strength")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=300, help="optimizer steps (default 300)")
    p.add_argument(
        "--record-every",
        type=int,
        default=10,
        metavar="K",
        help="one replay frame every K steps (default 10)",
    )
    p.add_argument("--theme", choices=tuple(THEMES), default="light")
    p.set_defaults(func=_cmd_playground)


_PROGRESS_CHUNK = 500  # steps between two progress lines on long runs


def _train(pg: Any, steps: int) -> None:
    """``pg.step(steps)``; from 1,000 steps on, one progress line on stderr every 500 steps."""
    if steps < 2 * _PROGRESS_CHUNK:
        pg.step(steps, progress=False)
        return
    done = 0
    while done < steps:
        k = min(_PROGRESS_CHUNK, steps - done)
        pg.step(k, progress=False)
        done += k
        f = pg.frame
        acc = f["train_accuracy"]
        print(
            f"step {done}/{steps}: train loss {f['train_loss']:.4f}, train accuracy "
            + (f"{100 * acc:.1f}%" if acc is not None else "-"),
            file=sys.stderr,
            flush=True,
        )


def _cmd_playground(args: argparse.Namespace) -> int:
    try:
        from ..data import load_csv
        from ..play import PlaygroundError, playground
        from ..play.replay import page
        from ..play.state import MAX_STEPS
    except ImportError as e:
        raise RuntimeError(str(e)) from None
    if args.steps < 0:
        raise UsageError("microgrand playground: --steps must be 0 or more")
    if args.steps > MAX_STEPS:
        raise UsageError(
            f"microgrand playground: --steps {args.steps:,} is too long a run; use at most "
            f"{MAX_STEPS:,} (about {MAX_STEPS // 200 // 60} minutes at ~200 steps/s)"
        )
    check_output(args, (".html", ".htm"), stdout=True)  # before any training
    settings: dict[str, Any] = dict(
        n=args.n,
        noise=args.noise,
        classes=args.classes,
        test_fraction=args.test_fraction,
        layers=args.layers,
        activation=args.activation,
        init=args.init,
        loss=args.loss,
        optimizer=args.optimizer,
        lr=args.lr,
        batch_size=args.batch_size,
        l2=args.l2,
        seed=args.seed,
        record_every=args.record_every,
        theme=args.theme,
    )
    if args.data:
        X, y = load_csv(args.data)
        settings.update(X=X, y=y)
    else:
        settings["dataset"] = args.dataset
    try:
        pg = playground(**settings)
    except PlaygroundError as e:
        raise UsageError(f"microgrand playground: {e}") from None
    if args.steps:
        try:
            _train(pg, args.steps)
        except FloatingPointError as e:
            raise RuntimeError(f"microgrand playground: {e} (--lr)") from None
    html = page(pg).encode("utf-8")
    if args.output == "-":
        write_stdout(html)
        return 0
    from .._files import write_atomic

    path = write_atomic(args.output, html)
    f = pg.frame

    def count(n: int, noun: str) -> str:
        return f"{n} {noun}" + ("" if n == 1 else "s")

    print(
        f"wrote {path}: {count(pg.steps, 'step')}, {count(len(pg.frames), 'frame')}, "
        f"train loss {f['train_loss']:.4f}, test accuracy "
        + (f"{100 * f['test_accuracy']:.1f}%" if f["test_accuracy"] is not None else "-")
    )
    return 0
