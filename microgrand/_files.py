"""Writing files safely: every file microgrand writes goes through :func:`write_atomic`.

A target behaves as it does for a shell redirect (``> file``), except that the new content
appears all at once:

* a symbolic link is followed: its target is written, the link stays (a dangling link
  creates its target, as ``>`` does);
* an existing file keeps its permission bits (``0600`` stays ``0600``) and, where the
  system allows, its owner and group; a new file gets ``0o666`` less the umask;
* a file the user may not write is refused with :class:`PermissionError`, checked with
  :func:`os.access` as the shell does. The superuser may write any file (a root shell's
  ``>`` replaces a ``0444`` file too), so as root a read-only mode does not refuse;
* a folder, FIFO, device or socket is refused: only regular files are written;
* two deliberate differences from ``>``, both the price of never leaving a half-written
  file: the folder must be writable too (the new file is made beside the old one and
  renamed over it), and a file with several hard links gets a new inode, so the other
  names keep the old content;
* the temporary file's name fits whenever the target's does (names up to the file
  system's limit, usually 255 bytes), and it is removed if the write fails or is
  interrupted (:func:`remove_temporary_files` runs at exit and from the command line's
  SIGTERM handler).

:func:`check_target` makes the same checks without writing, so that a command that writes
several files can refuse before it writes any.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import stat
import threading
from pathlib import Path

__all__ = ["check_target", "remove_temporary_files", "write_atomic"]

_PENDING: set[str] = set()  # temporary files being written right now
_LOCK = threading.Lock()


def remove_temporary_files() -> int:
    """Remove the temporary files of writes still in progress; returns how many.

    Example:
        >>> remove_temporary_files()
        0
    """
    with _LOCK:
        pending = list(_PENDING)
        _PENDING.clear()
    n = 0
    for tmp in pending:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
            n += 1
    return n


atexit.register(remove_temporary_files)


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_target(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` can be written as a regular file; return the file to write
    (symbolic links followed). Raises ``FileNotFoundError``, ``IsADirectoryError``,
    ``PermissionError`` or ``OSError`` with a message naming ``path``.

    Example:
        >>> import tempfile, pathlib, os
        >>> with tempfile.TemporaryDirectory() as d:
        ...     check_target(d)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        IsADirectoryError: cannot save ...: it is a folder
        >>> check_target(os.devnull)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        OSError: cannot save '/dev/null': it is a device, not a regular file; ...
    """
    shown = str(path)
    if shown.endswith(("/", os.sep)):  # a shell refuses "> out.html/"; so do we
        raise IsADirectoryError(
            f"cannot save {shown!r}: it ends with a slash, which names a folder; give a file name"
        )
    p = Path(os.path.realpath(path))  # through every symbolic link, as the shell writes
    parent = p.parent
    if not parent.is_dir():
        raise FileNotFoundError(f"cannot save {shown!r}: {_missing_folder(Path(shown).parent)}")
    limit = _name_max(parent)
    if len(os.fsencode(p.name)) > limit:
        raise OSError(
            f"cannot save {shown!r}: the file name is {len(os.fsencode(p.name))} bytes long, "
            f"more than the {limit} this file system allows",
        )
    try:
        st = os.stat(p)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise type(e)(f"cannot save {shown!r}: {e.strerror or e}") from None
    if st is not None:
        kind = _kind(st.st_mode)
        if kind == "a folder":
            raise IsADirectoryError(f"cannot save {shown!r}: it is a folder")
        if kind is not None:
            raise OSError(
                f"cannot save {shown!r}: it is {kind}, not a regular file; write to standard "
                "output (-o -) and redirect it instead"
            )
        if not os.access(p, os.W_OK):
            raise PermissionError(
                f"cannot save {shown!r}: permission denied (the file is read-only for you)"
            )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(
            f"cannot save {shown!r}: permission denied (cannot create files in the folder "
            f"{str(parent)!r})"
        )
    return p


def _missing_folder(folder: Path) -> str:
    """Why ``folder`` (or one of its parents) cannot hold a file, in words."""
    for f in (folder, *folder.parents):
        if f.is_dir():
            break
        if f.is_symlink() and not f.exists():
            return f"{str(f)!r} is a broken symbolic link"
        if f.exists():
            return f"{str(f)!r} is a file, not a folder"
    return f"the folder {str(folder)!r} does not exist"


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return 255


def _temporary_name(p: Path) -> Path:
    # ".NAME.XXXXXXXX.tmp", with NAME shortened (whole characters) so the result fits.
    tag = f".{secrets.token_hex(4)}.tmp"
    room = _name_max(p.parent) - 1 - len(tag)
    stem = os.fsencode(p.name)[: max(room, 0)].decode("utf-8", "ignore")
    while len(os.fsencode(stem)) > room:  # undecodable names: drop characters until it fits
        stem = stem[:-1]
    return p.with_name(f".{stem}{tag}")


def _create_temporary(p: Path, shown: str) -> tuple[int, str]:
    for _ in range(100):
        tmp = str(_temporary_name(p))
        try:
            fd = os.open(
                tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600
            )
        except FileExistsError:
            continue
        except OSError as e:
            raise type(e)(f"cannot save {shown!r}: {e.strerror or e}") from None
        return fd, tmp
    raise FileExistsError(f"cannot save {shown!r}: no free temporary name")  # pragma: no cover


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    Either the whole file is written or ``path`` is left as it was; readers never see a
    half-written file, even if the program is interrupted. See the module's docstring for
    symbolic links, permissions and the targets refused. Returns ``path``.

    Example:
        >>> import tempfile, pathlib
        >>> with tempfile.TemporaryDirectory() as d:
        ...     p = write_atomic(pathlib.Path(d) / "a.txt", b"hi")
        ...     p.read_bytes()
        b'hi'
    """
    shown = str(path)
    target = check_target(path)
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    with _LOCK:
        fd, tmp = _create_temporary(target, shown)
        _PENDING.add(tmp)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if st is None:
            os.chmod(tmp, 0o666 & ~_umask())
        else:
            if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
                with contextlib.suppress(OSError):  # allowed for root, or a group of ours
                    os.chown(tmp, st.st_uid, st.st_gid)
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        with _LOCK:
            _PENDING.discard(tmp)
    return Path(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
