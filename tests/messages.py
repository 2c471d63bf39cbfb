"""What a command said on stderr, apart from the stages it went through."""

from __future__ import annotations

from pipelines.month.summary import STAGE


def messages(stderr: str) -> list[str]:
    """The lines of ``stderr`` that are not stage lines (``eperf: reading …``): the command's
    sentence when it refuses or fails."""
    return [line for line in stderr.strip().splitlines() if not line.startswith(STAGE)]
