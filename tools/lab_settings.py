"""Turn on "Save Widget State Automatically" for the JupyterLab and Notebook 7 of this
environment, so that a lesson saved after running reopens, without its kernel, showing its
widgets' last pictures (the playground's last frame) instead of "model not found".

It merges one setting into ``{sys.prefix}/share/jupyter/lab/settings/overrides.json`` (the
defaults of this environment only; a user's own settings still win), keeping what is there.
``make lab`` runs it.

Usage::

    python tools/lab_settings.py [--prefix PREFIX]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

PLUGIN = "@jupyter-widgets/jupyterlab-manager:plugin"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--prefix", default=sys.prefix, help="the environment (default: this one)")
    prefix = ap.parse_args(argv).prefix
    path = Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    try:
        current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError:
        print(f"{path} is not valid JSON; fix or remove it, then run this again", file=sys.stderr)
        return 1
    if current.get(PLUGIN, {}).get("saveState") is True:
        return 0
    current.setdefault(PLUGIN, {})["saveState"] = True
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    print(f"widget state is saved with notebooks ({path})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
