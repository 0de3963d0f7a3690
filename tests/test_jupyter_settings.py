"""The JupyterLab / Notebook 7 defaults microgrand installs: "Save Widget State Automatically"
on, read the way JupyterLab reads them (``jupyterlab_server``). The zero-install site gets the
same file (``tests/browser/test_site.py``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "jupyter-config" / "overrides.d" / "microgrand.json"
PLUGIN = "@jupyter-widgets/jupyterlab-manager:plugin"

settings_utils = pytest.importorskip("jupyterlab_server.settings_utils")
jupyter_core_paths = pytest.importorskip("jupyter_core.paths")


def _save_state(user_settings: Path) -> tuple[bool, bool]:
    """(the default JupyterLab shows for saveState, the value it uses) in this environment,
    with ``user_settings`` as the user's settings folder."""
    commands = pytest.importorskip("jupyterlab.commands")
    app = Path(commands.get_app_dir())
    found, _ = settings_utils.get_settings(
        str(app / "settings"),
        str(app / "schemas"),
        str(user_settings),
        schema_name=PLUGIN,
        labextensions_path=jupyter_core_paths.jupyter_path("labextensions"),
    )
    default = found["schema"]["properties"]["saveState"]["default"]
    return default, found["settings"].get("saveState", default)


def test_the_settings_file_sets_only_save_state_and_matches_the_plugins_schema() -> None:
    data = json.loads(SOURCE.read_text(encoding="utf-8"))
    assert data == {PLUGIN: {"saveState": True}}
    schema = next(
        Path(p) / "@jupyter-widgets" / "jupyterlab-manager" / "schemas" / "@jupyter-widgets"
        / "jupyterlab-manager" / "plugin.json"
        for p in jupyter_core_paths.jupyter_path("labextensions")
        if (Path(p) / "@jupyter-widgets" / "jupyterlab-manager").is_dir()
    )  # fmt: skip
    properties = json.loads(schema.read_text(encoding="utf-8"))["properties"]
    assert properties["saveState"]["type"] == "boolean"
    assert set(data[PLUGIN]) <= set(properties)


def test_the_install_puts_it_where_jupyterlab_reads_defaults() -> None:
    installed = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.d"
    assert (installed / "microgrand.json").read_text(encoding="utf-8") == SOURCE.read_text(
        encoding="utf-8"
    )


def test_jupyterlab_saves_widget_state_by_default_and_the_user_can_turn_it_off(
    tmp_path: Path,
) -> None:
    assert _save_state(tmp_path) == (True, True)
    mine = tmp_path / "@jupyter-widgets" / "jupyterlab-manager" / "plugin.jupyterlab-settings"
    mine.parent.mkdir(parents=True)
    mine.write_text('{"saveState": false}', encoding="utf-8")
    assert _save_state(tmp_path) == (True, False)  # the user's own setting wins
