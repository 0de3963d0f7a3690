"""Files behave like files: permissions as the shell sees them, modes kept, links followed,
special files refused, long names, no temporary file left behind, ``-o -``, several targets
checked before any is written."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from microgrand._files import check_target, write_atomic
from microgrand.cli import main

ROOT = Path(__file__).resolve().parents[1]
NOBODY = 65534


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    return e


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def shell_may_write(path: Path, as_nobody: bool = False) -> bool:
    """The oracle: does a shell redirect ``: > path`` succeed (for us, or for nobody)?"""
    r = subprocess.run(
        ["sh", "-c", ': > "$1"', "sh", str(path)],
        capture_output=True,
        check=False,
        preexec_fn=_drop if as_nobody else None,
    )
    return r.returncode == 0


def _drop() -> None:  # pragma: no cover - runs in the child
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def microgrand_may_write(path: Path, as_nobody: bool = False) -> bool:
    # The interpreter may not be executable by nobody: import first, then drop privileges.
    code = (
        "import os, sys\n"
        "from microgrand._files import write_atomic\n"
        f"if {as_nobody}:\n    os.setgid({NOBODY}); os.setuid({NOBODY})\n"
        "try:\n    write_atomic(sys.argv[1], b'new')\n"
        "except PermissionError:\n    sys.exit(3)\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, str(path)], env=env(), capture_output=True, check=False
    )
    assert r.returncode in (0, 3), r.stderr
    return r.returncode == 0


@pytest.fixture
def shared() -> Iterator[Path]:
    """A folder anyone may write (so a subprocess running as nobody can work in it)."""
    d = Path(tempfile.mkdtemp(prefix="mg-files-"))
    d.chmod(0o777)
    try:
        yield d
    finally:
        for p in d.iterdir():
            p.chmod(0o600)
            p.unlink()
        d.rmdir()


@pytest.mark.parametrize("mode", [0o444, 0o644, 0o600, 0o666])
def test_permission_as_the_shell_decides(shared: Path, mode: int) -> None:
    users = [False] + ([True] if os.geteuid() == 0 else [])
    for as_nobody in users:
        f = shared / f"f-{as_nobody}"
        f.write_bytes(b"old")
        f.chmod(mode)
        expected = shell_may_write(f, as_nobody)
        f.write_bytes(b"old")  # the shell's redirect emptied it
        f.chmod(mode)
        assert microgrand_may_write(f, as_nobody) == expected, (oct(mode), as_nobody)
        assert f.read_bytes() == (b"new" if expected else b"old")
        assert stat.S_IMODE(f.stat().st_mode) == mode  # mode kept
    if os.geteuid() == 0:  # as root the shell writes a read-only file; as nobody it does not
        assert shell_may_write(shared / "f-True", True) == bool(mode & 0o002)


def test_read_only_refused_directly_for_non_root(tmp_path: Path) -> None:
    f = tmp_path / "ro.txt"
    f.write_bytes(b"old")
    f.chmod(0o444)
    if os.geteuid() == 0:
        write_atomic(f, b"new")  # root: like `echo new > ro.txt` in a root shell
        assert f.read_bytes() == b"new" and stat.S_IMODE(f.stat().st_mode) == 0o444
    else:
        with pytest.raises(PermissionError, match="permission denied"):
            write_atomic(f, b"new")
        assert f.read_bytes() == b"old"


def test_mode_kept_and_new_file_gets_umask(tmp_path: Path) -> None:
    f = tmp_path / "secret.svg"
    f.write_bytes(b"old")
    f.chmod(0o600)
    write_atomic(f, b"new")
    assert stat.S_IMODE(f.stat().st_mode) == 0o600 and f.read_bytes() == b"new"
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "fresh", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "fresh").stat().st_mode) == 0o640


def test_symlink_written_through(tmp_path: Path) -> None:
    target = tmp_path / "real.svg"
    target.write_bytes(b"old")
    link = tmp_path / "link.svg"
    link.symlink_to(target)
    write_atomic(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"
    dangling = tmp_path / "dangling.svg"
    dangling.symlink_to(tmp_path / "made.svg")
    write_atomic(dangling, b"made")  # like `> dangling`: creates the target
    assert dangling.is_symlink() and (tmp_path / "made.svg").read_bytes() == b"made"


def test_special_files_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="named pipe"):
        write_atomic(fifo, b"x")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    with pytest.raises(OSError, match="is a device"):
        write_atomic(os.devnull, b"x")
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        write_atomic(tmp_path, b"x")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_atomic(tmp_path / "no" / "f.svg", b"x")
    assert (
        main(["render", "x", "x=1", "-o", str(fifo), "--format", "svg"]) == 2
    )  # checked before any work
    assert main(["step", "x", "x=1", "-o", str(tmp_path)]) == 2  # not .html
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["a" * 251 + ".svg", "é" * 125 + "a.svg", "b" * 244])
def test_longest_names_work(tmp_path: Path, name: str) -> None:
    assert len(os.fsencode(name)) in (244, 255)
    write_atomic(tmp_path / name, b"x")
    assert (tmp_path / name).read_bytes() == b"x" and leftovers(tmp_path) == []
    with pytest.raises(OSError, match="cannot save"):
        write_atomic(tmp_path / ("c" * 256), b"x")


def test_sigterm_during_a_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "g.svg"
    out.write_bytes(b"old")
    code = (
        "import os, sys, time\n"
        "def slow(fd):\n    print('writing', flush=True); time.sleep(60)\n"
        "os.fsync = slow\n"
        "from microgrand.cli import main\n"
        "sys.exit(main(['render', 'x*2', 'x=1', '-q', '-o', sys.argv[1]]))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(out)],
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"writing\n"
        assert len(leftovers(tmp_path)) == 1  # caught in the middle of the write
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 128 + signal.SIGTERM and b"Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert leftovers(tmp_path) == [] and out.read_bytes() == b"old"


def test_worksheet_checks_both_targets_first(tmp_path: Path) -> None:
    (tmp_path / "sheet.key.svg").mkdir()
    assert (
        main(["render", "x*2", "x=1", "--worksheet", "-q", "-o", str(tmp_path / "sheet.svg")]) == 2
    )
    assert not (tmp_path / "sheet.svg").exists()
    (tmp_path / "sheet.key.svg").rmdir()
    assert (
        main(["render", "x*2", "x=1", "--worksheet", "-q", "-o", str(tmp_path / "sheet.svg")]) == 0
    )
    assert "______" in (tmp_path / "sheet.svg").read_text()
    assert "______" not in (tmp_path / "sheet.key.svg").read_text()


def run_cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "microgrand", *args],
        env=env(),
        capture_output=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_dash_o_writes_standard_output() -> None:
    html = run_cli("step", "x*2", "x=1", "-o", "-")
    assert html.returncode == 0, html.stderr
    assert html.stdout.lstrip().lower().startswith(b"<!doctype html")
    assert b"wrote standard output" in html.stderr
    gif = run_cli("animate", "x*2", "x=1", "-o", "-", "--dpi", "36")
    assert gif.returncode == 0, gif.stderr
    assert gif.stdout[:6] in (b"GIF87a", b"GIF89a")


def test_animate_refuses_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    t = time.monotonic()
    assert main(["animate", "x*2", "x=1", "-o", "-"]) == 2
    assert "not writing a GIF to a terminal" in capsys.readouterr().err
    assert time.monotonic() - t < 5


def test_check_target_follows_links(tmp_path: Path) -> None:
    (tmp_path / "t").write_bytes(b"")
    (tmp_path / "l").symlink_to(tmp_path / "t")
    assert check_target(tmp_path / "l") == (tmp_path / "t").resolve()
