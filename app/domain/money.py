"""Money and percentage rounding shared by the score and TPP computations.

Rules (design section 4):
- money is whole rupiah, computed with ``Decimal`` and rounded ROUND_HALF_UP;
- percentages are ``Decimal`` with two decimals, rounded ROUND_HALF_UP;
- floats are never accepted: a float has already lost precision (0.1 + 0.2), so passing one is
  a programming error and raises ``TypeError``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

RUPIAH = Decimal("1")
PCT_QUANTUM = Decimal("0.01")
HUNDRED = Decimal("100")


def to_decimal(x: Decimal | int | str) -> Decimal:
    """Convert an int, a numeric string or a Decimal to Decimal; refuse floats and bools."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool) or isinstance(x, float):
        raise TypeError(f"Nilai {x!r} harus berupa Decimal, int atau teks angka, bukan {type(x).__name__}.")
    if isinstance(x, (int, str)):
        try:
            return Decimal(x)
        except ArithmeticError:  # decimal.InvalidOperation
            raise ValueError(f"Nilai {x!r} bukan angka yang sah.") from None
    raise TypeError(f"Nilai {x!r} harus berupa Decimal, int atau teks angka.")


def round_rupiah(x: Decimal | int | str) -> int:
    """Whole rupiah, half up: 10.5 -> 11, 10.49 -> 10, -10.5 -> -11 (away from zero)."""
    return int(to_decimal(x).quantize(RUPIAH, rounding=ROUND_HALF_UP))


def round_pct(x: Decimal | int | str) -> Decimal:
    """Percentage with two decimals, half up: 66.665 -> 66.67, 100 -> 100.00."""
    return to_decimal(x).quantize(PCT_QUANTUM, rounding=ROUND_HALF_UP)


def format_rupiah(amount: int, thousands: str = ".") -> str:
    """Indonesian money display: 1234567 -> 'Rp1.234.567', -500 -> '-Rp500'
    (app.formatting.format_money passes the separator of the user's language)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(int(amount)):,}".replace(",", thousands)


def format_pct(x: Decimal | int | str, thousands: str = ".", decimal: str = ",") -> str:
    """Indonesian percentage display with decimal comma: Decimal('66.67') -> '66,67%'
    (app.formatting.format_pct passes the separators of the user's language)."""
    value = round_pct(x)
    sign = "-" if value < 0 else ""
    integer, _, frac = f"{abs(value):.2f}".partition(".")
    integer = f"{int(integer):,}".replace(",", thousands)
    return f"{sign}{integer}{decimal}{frac}%"
