"""Compare whole folders of outputs, byte for byte."""

from __future__ import annotations

from pathlib import Path


def snapshot(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) by relative path with its bytes, except
    files named in ``skip``."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in skip}
