"""Writing files safely: every file microgrand writes goes through :func:`write_atomic`."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    Either the whole file is written or ``path`` is left as it was; readers never see a
    half-written file, even if the program is interrupted. The file gets the usual
    permissions (``0o666`` less the umask), not the private ones of a temporary file.

    Example:
        >>> import tempfile, pathlib
        >>> with tempfile.TemporaryDirectory() as d:
        ...     p = write_atomic(pathlib.Path(d) / "a.txt", b"hi")
        ...     p.read_bytes()
        b'hi'
    """
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(
            f"cannot save {str(p)!r}: the folder {str(parent)!r} does not exist"
        )
    if p.is_dir():
        raise IsADirectoryError(f"cannot save {str(p)!r}: it is a folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=parent)
    except OSError as e:
        raise type(e)(f"cannot save {str(p)!r}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return p


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
