"""``tools/lab_settings.py`` turns on saving widget state for this environment's JupyterLab and
Notebook 7, keeping the overrides already there."""

from __future__ import annotations

import json
from pathlib import Path

from tools.lab_settings import PLUGIN, main


def test_save_state_is_merged_into_the_overrides(tmp_path: Path) -> None:
    path = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "x"}}))
    assert main(["--prefix", str(tmp_path)]) == 0
    data = json.loads(path.read_text())
    assert data[PLUGIN] == {"saveState": True} and data["@jupyterlab/apputils-extension:themes"]
    assert main(["--prefix", str(tmp_path)]) == 0  # again: nothing changes
    assert json.loads(path.read_text()) == data


def test_a_broken_overrides_file_is_reported_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert main(["--prefix", str(tmp_path)]) == 1
    assert path.read_text() == "{not json"
