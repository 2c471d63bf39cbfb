"""The closed sets of states that inputs and results take (SPEC §3, §6): one name for each
value, so no comparison in the engine or the pipelines spells a state as a bare string."""

from __future__ import annotations

from enum import StrEnum


class LogStatus(StrEnum):
    """An e-Kinerja activity log entry's status; only approved entries count."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class Sp2dStatus(StrEnum):
    """An SP2D (payment order); only paid ones are realized."""

    PAID = "paid"
    CANCELLED = "cancelled"


class TransferStatus(StrEnum):
    """A transfer to an employee's account."""

    SUCCESS = "success"
    FAILED = "failed"
    RETURNED = "returned"


class Check(StrEnum):
    """A ``budget_check`` row of a run (SPEC §6)."""

    OK = "OK"
    OVER = "OVER"


class Verdict(StrEnum):
    """A budget outlook row: within the pagu, projected past it by December, or over it."""

    OK = "OK"
    WARN = "WARN"
    FAIL = "FAIL"


def values(states: type[StrEnum]) -> list[str]:
    """The states' values, as a list of plain strings (for ``is_in`` and pandera's ``isin``)."""
    return [state.value for state in states]
