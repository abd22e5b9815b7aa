"""Decimals as people write them: "300", "2.5", never "300.000" nor "3E+2"."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def plain_number(value: Decimal | None) -> str:
    """A decimal as plain text without trailing zeros ("" for None): 300, 2.5."""
    return "" if value is None else format(value.normalize(), "f")  # "f": never "1E+2"


def as_written(value: Decimal | None) -> Decimal | None:
    """A stored decimal as it was written: a column's fixed places dropped (10.000 -> 10,
    82.50 -> 82.5), so it prints as "10", never "10.000" nor "1E+1"."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def one_place(value: Decimal) -> Decimal:
    """Rounded half up to one decimal place (BMI, percent change)."""
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
