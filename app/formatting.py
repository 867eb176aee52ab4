"""How the panel shows dates, times, money and numbers: one implementation for every page
template, list and detail column, flash message and e-mail (issue 10 item 7).

Plain Python (no Flask): the current language comes from a provider that `app.i18n` installs
once (the babel locale of the request, Indonesian outside a request). Indonesian is the default:

    format_date(date(2026, 11, 30))              -> '30 Nov 2026'
    format_time(time(9, 0))                      -> '09.00'
    format_datetime(datetime(2026, 11, 30, 2))   -> '30 Nov 2026 09.00 WIB'   (stored UTC, shown WIB)
    format_money(1234567)                        -> 'Rp1.234.567'
    format_minutes(1234)                         -> '1.234 menit'
    format_number(1234)                          -> '1.234'
    format_pct(Decimal('66.665'))                -> '66,67%'

English (`locale='en'`): '30 Nov 2026', '09:00', '30 Nov 2026 09:00 WIB', 'Rp1,234,567',
'1,234 minutes', '66.67%'. Excel exports keep real numbers and dates (app/reports/).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Optional

from app.domain.money import format_pct as _format_pct
from app.domain.money import format_rupiah, round_rupiah

DEFAULT_LOCALE = "id"
WIB = timedelta(hours=7)  # Asia/Jakarta, no daylight saving

MONTHS_SHORT = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni",
           "Juli", "Agustus", "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June",
           "July", "August", "September", "October", "November", "December"),
}
# Monday first, as date.weekday() counts.
DAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
# (thousands separator, decimal separator, time separator, word for minutes)
_STYLE = {
    "id": (".", ",", ".", "menit"),
    "en": (",", ".", ":", "minutes"),
}

_locale_provider: Callable[[], str] = lambda: DEFAULT_LOCALE  # noqa: E731


def set_locale_provider(provider: Callable[[], str]) -> None:
    """Called once by app.i18n: where the current language comes from."""
    global _locale_provider
    _locale_provider = provider


def current_locale(locale: Optional[str] = None) -> str:
    """The given language, else the provider's; anything unknown falls back to Indonesian."""
    value = locale or _locale_provider() or DEFAULT_LOCALE
    value = str(value).split("_")[0].split("-")[0].lower()
    return value if value in _STYLE else DEFAULT_LOCALE


def format_date(d: Optional[date], locale: Optional[str] = None) -> str:
    """date(2026, 11, 30) -> '30 Nov 2026'; a datetime shows its own calendar date."""
    if d is None:
        return ""
    return f"{d.day} {MONTHS_SHORT[current_locale(locale)][d.month - 1]} {d.year}"


def format_date_long(d: Optional[date], locale: Optional[str] = None) -> str:
    """date(2026, 11, 30) -> 'Senin, 30 November 2026' (headings of a day)."""
    if d is None:
        return ""
    lang = current_locale(locale)
    return f"{DAYS[lang][d.weekday()]}, {d.day} {MONTHS[lang][d.month - 1]} {d.year}"


def format_month(year: int, month: int, locale: Optional[str] = None) -> str:
    """(2026, 11) -> 'November 2026'."""
    return f"{MONTHS[current_locale(locale)][month - 1]} {year}"


def format_time(t: Optional[time | datetime], locale: Optional[str] = None) -> str:
    """time(9, 0) -> '09.00' (English '09:00')."""
    if t is None:
        return ""
    sep = _STYLE[current_locale(locale)][2]
    return f"{t.hour:02d}{sep}{t.minute:02d}"


def to_wib(value: datetime) -> datetime:
    """A naive UTC timestamp from the database as naive WIB; an aware one is converted."""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value + WIB


def format_datetime(value: Optional[datetime], locale: Optional[str] = None) -> str:
    """A stored (UTC) timestamp in WIB: datetime(2026, 11, 30, 2, 0) -> '30 Nov 2026 09.00 WIB'."""
    if value is None:
        return ""
    local = to_wib(value)
    return f"{format_date(local, locale)} {format_time(local, locale)} WIB"


def _grouped(n: int, locale: Optional[str]) -> str:
    return f"{n:,}".replace(",", _STYLE[current_locale(locale)][0])


def format_number(n, locale: Optional[str] = None) -> str:
    """1234 -> '1.234'; Decimal('1234.5') -> '1.234,5' (English '1,234' and '1,234.5')."""
    if n is None:
        return ""
    thousands, decimal_sep, _, _ = _STYLE[current_locale(locale)]
    if isinstance(n, int) or (isinstance(n, Decimal) and n == n.to_integral_value()):
        return _grouped(int(n), locale)
    value = Decimal(str(n)) if isinstance(n, float) else Decimal(n)
    sign = "-" if value < 0 else ""
    integer, _, frac = f"{abs(value):f}".partition(".")
    return f"{sign}{_grouped(int(integer), locale)}{decimal_sep}{frac}"


def format_money(amount, locale: Optional[str] = None) -> str:
    """Whole rupiah, half up: 1234567 -> 'Rp1.234.567', -500 -> '-Rp500'."""
    if amount is None:
        return ""
    value = round_rupiah(amount if not isinstance(amount, float) else str(amount))
    return format_rupiah(value, _STYLE[current_locale(locale)][0])


def format_minutes(n: Optional[int], locale: Optional[str] = None) -> str:
    """1234 -> '1.234 menit' (English '1,234 minutes')."""
    if n is None:
        return ""
    return f"{format_number(int(n), locale)} {_STYLE[current_locale(locale)][3]}"


def format_pct(x, locale: Optional[str] = None) -> str:
    """Two decimals, half up: Decimal('66.665') -> '66,67%' (English '66.67%')."""
    if x is None:
        return ""
    thousands, decimal_sep, _, _ = _STYLE[current_locale(locale)]
    return _format_pct(x if not isinstance(x, float) else str(x), thousands, decimal_sep)


def format_value(value, locale: Optional[str] = None):
    """Default display of a list or detail cell by its type: dates, datetimes (WIB), times,
    Ya/Tidak for booleans, empty for NULL; anything else unchanged."""
    if value is None:
        return ""
    if value is True:
        return "Ya" if current_locale(locale) == "id" else "Yes"
    if value is False:
        return "Tidak" if current_locale(locale) == "id" else "No"
    if isinstance(value, datetime):
        return format_datetime(value, locale)
    if isinstance(value, date):
        return format_date(value, locale)
    if isinstance(value, time):
        return format_time(value, locale)
    return value


# The Jinja names (app.i18n registers each as a filter and as a global).
JINJA = {
    "fmt_date": format_date,
    "fmt_date_long": format_date_long,
    "fmt_month": format_month,
    "fmt_time": format_time,
    "fmt_datetime": format_datetime,
    "fmt_money": format_money,
    "fmt_minutes": format_minutes,
    "fmt_number": format_number,
    "fmt_pct": format_pct,
}
