"""The calendar facts of a period ``YYYY-MM``."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re

PERIOD_PATTERN = r"^([0-9]{4})-(0[1-9]|1[0-2])$"
"""YYYY-MM, the month 01–12."""
_PERIOD = re.compile(PERIOD_PATTERN)


@dataclasses.dataclass(frozen=True)
class Period:
    """A pay month.

    >>> feb = Period.parse("2025-02")
    >>> feb.last_day, len(feb.weekdays), feb.months_left
    (datetime.date(2025, 2, 28), 20, 11)
    """

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text)
        if not match:
            msg = f"period {text!r} is not YYYY-MM (for example 2025-10)"
            raise ValueError(msg)
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def weekdays(self) -> list[dt.date]:
        """Monday–Friday dates of the month (holidays are removed by the engine)."""
        days = (self.first_day + dt.timedelta(d) for d in range(self.last_day.day))
        return [d for d in days if d.weekday() < 5]

    @property
    def following(self) -> Period:
        """The next month (January of the next year after December).

        >>> Period(2025, 12).following, Period(2025, 3).following
        (Period(year=2026, month=1), Period(year=2025, month=4))
        """
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    @property
    def months_left(self) -> int:
        """``13 − month``: the months of the fiscal year still to pay, this one included."""
        return 13 - self.month
