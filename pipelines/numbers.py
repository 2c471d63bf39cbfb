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
    """Basis points as a percentage with a decimal comma: ``percent(9275)`` is ``'92,75 %'``."""
    whole, hundredths = divmod(abs(bp), 100)
    return f"{'−' if bp < 0 else ''}{number(whole)},{hundredths:02d} %"


def rate(bp: int) -> str:
    """A tax rate in basis points as the law writes it: ``rate(150)`` is ``'1,5 %'``, ``rate(500)`` ``'5 %'``."""
    whole, hundredths = divmod(bp, 100)
    return f"{number(whole)},{hundredths:02d}".rstrip("0") + " %" if hundredths else f"{number(whole)} %"


def decimal(value: float, places: int) -> str:
    """A fraction with a decimal comma: ``decimal(0.98765, 4)`` is ``'0,9877'``."""
    return f"{value:.{places}f}".replace(".", ",")


def wib(utc: str) -> str:
    """A warehouse time (UTC, ``YYYY-MM-DD HH:MM:SS``) on the city's clock.

    >>> wib("2025-11-30 17:05:00")
    '2025-12-01 00:05 WIB'
    """
    return dt.datetime.fromisoformat(utc).replace(tzinfo=dt.UTC).astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")
