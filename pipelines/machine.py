"""When the machine fails a command — a full disk, a read-only folder, a name too long, a damaged
warehouse file — the officer reads one sentence saying what and what to do, never a traceback.

The failure may come as Python's ``OSError``, inside a Polars error's text (``(os error 28)``)
or inside a DuckDB error's text (``… : No space left on device``): :func:`os_errno` finds the
error number in each. A damaged DuckDB file says so in its own words (:data:`DAMAGE_SIGNS`).
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path


class MachineFailure(Exception):
    """The machine failed the command (exit 2); the message says what happened and what to do."""


KNOWN_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EACCES, errno.EPERM, errno.EROFS, errno.EIO,
                errno.ENAMETOOLONG, errno.ELOOP, errno.ENOTDIR, errno.EISDIR, errno.EMFILE, errno.ENOMEM)
"""Error numbers looked for by their text in a library's message (DuckDB writes ``strerror``)."""
ADVICE = {
    errno.ENOSPC: "free space on that disk and run the command again",
    errno.EDQUOT: "free space within your disk quota and run the command again",
    errno.EFBIG: "free space or raise the file-size limit (ulimit -f) and run the command again",
    errno.EACCES: "run it as a user who may write there, or work on a copy in a folder you may write",
    errno.EPERM: "run it as a user who may write there, or work on a copy in a folder you may write",
    errno.EROFS: "the disk is mounted read-only: work on a copy on a writable disk",
    errno.EIO: "the disk failed to read or write: check it, then restore the warehouse from its backup",
    errno.ENAMETOOLONG: "choose a shorter name",
    errno.ELOOP: "a symbolic link points to itself or a loop of links: remove it",
}
DAMAGE_SIGNS = ("corrupt database file", "could not read enough bytes", "not a valid duckdb database file",
                "checksum", "invalid wal", "database has been invalidated", "serialization error")
"""What DuckDB says of a file that is truncated, bit-rotted or not a database (lower case)."""
_OS_ERROR = re.compile(r"\(os error (\d+)\)")


def os_errno(exc: BaseException) -> int | None:
    """The OS error number behind ``exc``: its own, or one its message states; None if none."""
    if isinstance(exc, OSError) and exc.errno:
        return exc.errno
    text = str(exc)
    found = _OS_ERROR.search(text)
    if found:
        return int(found.group(1))
    return next((code for code in KNOWN_ERRNOS if os.strerror(code) in text), None)


def short(text: str, width: int = 120) -> str:
    """The first line of ``text``, cut to ``width`` characters."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= width else first[: width - 1] + "…"


def failure(exc: BaseException, where: Path, done: str = "nothing was changed") -> MachineFailure | None:
    """``exc`` as one sentence about ``where`` if it is an OS failure, else None. ``done`` says
    what stands (by default nothing was changed)."""
    code = os_errno(exc)
    if code is None:
        return None
    advice = ADVICE.get(code, "fix the cause and run the command again")
    return MachineFailure(f"{where}: {os.strerror(code).lower()}; {done}: {advice}")


def damaged(exc: BaseException) -> bool:
    """Whether DuckDB's ``exc`` says the file is damaged (truncated, bit-rotted, not a database)."""
    text = str(exc).lower()
    return any(sign in text for sign in DAMAGE_SIGNS)
