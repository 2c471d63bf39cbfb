"""Numbers as Indonesian HR and finance officers write them."""

from __future__ import annotations

import datetime as dt

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
"""Western Indonesian Time, the city's clock: the warehouse keeps UTC, people read WIB."""


def number(value: int) -> str:
    """Thousands with dots: ``number(19957)`` is ``'19.957'``."""
    return f"{value:,}".replace(",", ".")


def rupiah(amount: int) -> str:
    """``rupiah(6404174)`` is ``'Rp 6.404.174'``."""
    return f"Rp {number(amount)}"


def percent(bp: int) -> str:
    """Basis points as a percentage: ``percent(9275)`` is ``'92.75 %'``."""
    return f"{bp / 100:.2f} %"


def wib(utc: str) -> str:
    """A warehouse time (UTC, ``YYYY-MM-DD HH:MM:SS``) on the city's clock.

    >>> wib("2025-11-30 17:05:00")
    '2025-12-01 00:05 WIB'
    """
    return dt.datetime.fromisoformat(utc).replace(tzinfo=dt.UTC).astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")
