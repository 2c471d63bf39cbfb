"""Test support: named points in a command where a test can stop it dead, hold it, or hear that
it got there. Nothing here waits on the clock: a held command waits for the test, not for time.

``EPERF_KILL_AT=<point>`` kills the process (SIGKILL: no cleanup, no ``finally``) when it reaches
``<point>``; ``EPERF_HOLD_AT=<point>`` prints ``holding at <point>`` on stderr and waits until a
byte arrives on its standard input or it is closed (the test sends one to let it go on, or kills
it);
``EPERF_SAY_AT=<point>`` prints ``at <point>`` on stderr and goes on (``waiting``: the command
found the warehouse or an output path in use and waits its turn). None is set in normal use.
"""

from __future__ import annotations

import os
import signal
import sys

KILL_AT = "EPERF_KILL_AT"
HOLD_AT = "EPERF_HOLD_AT"
SAY_AT = "EPERF_SAY_AT"


def point(name: str) -> None:
    """A named point of a command (``before-commit``, ``staged``, ``swapped``, ``waiting`` …)."""
    if os.environ.get(KILL_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get(SAY_AT) == name:
        print(f"at {name}", file=sys.stderr, flush=True)
    if os.environ.get(HOLD_AT) == name:
        print(f"holding at {name}", file=sys.stderr, flush=True)
        os.read(0, 1)  # until the test lets us go (or closes our standard input)
