"""Numbers as Indonesian HR and finance officers write them."""

from __future__ import annotations


def number(value: int) -> str:
    """Thousands with dots: ``number(19957)`` is ``'19.957'``."""
    return f"{value:,}".replace(",", ".")


def rupiah(amount: int) -> str:
    """``rupiah(6404174)`` is ``'Rp 6.404.174'``."""
    return f"Rp {number(amount)}"


def percent(bp: int) -> str:
    """Basis points as a percentage: ``percent(9275)`` is ``'92.75 %'``."""
    return f"{bp / 100:.2f} %"
