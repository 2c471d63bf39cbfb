"""What a long command is doing now, for whoever shows it.

Code deep in a command says :func:`stage` ("reading hr/employees", "computing pay"); the CLI
decides how it is shown (:func:`pipelines.month.summary.progress`: a spinner on a terminal, a
line on stderr otherwise) by :func:`listening` around the command. Nobody listening: nothing is
shown, and the library stays silent when called from a notebook or a test.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

_listener: contextvars.ContextVar[Callable[[str], None] | None] = contextvars.ContextVar("eperf_stage", default=None)


def stage(step: str) -> None:
    """Say that the command now does ``step``."""
    listener = _listener.get()
    if listener is not None:
        listener(step)


@contextlib.contextmanager
def listening(listener: Callable[[str], None]) -> Iterator[None]:
    """Send every :func:`stage` said inside the block to ``listener``."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
