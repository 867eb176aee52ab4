"""Working-day calendar of a unit (5- or 6-day week) with the BKD holiday calendar.

``holidays`` is any collection of ``date`` (national holidays and cuti bersama set by BKD);
a set gives O(1) look-ups. A holiday on a weekend changes nothing.

Deadline convention used throughout: "n working days after d" means the n-th working day
strictly after d (``add_working_days``); that day itself is still within the deadline, the next
calendar day is past it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

WORKDAY_OPTIONS = (5, 6)

MONTH_NAMES_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)
DAY_NAMES_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

# Guard against an endless loop when a holiday list covers every day (bad data).
_MAX_SCAN_DAYS = 3660


def _check_workdays(workdays_per_week: int) -> None:
    if workdays_per_week not in WORKDAY_OPTIONS:
        raise ValueError(
            f"Jumlah hari kerja per minggu harus 5 atau 6, bukan {workdays_per_week!r}."
        )


def format_date_id(d: date) -> str:
    """Indonesian date for messages: date(2024, 6, 3) -> '3 Juni 2024'."""
    return f"{d.day} {MONTH_NAMES_ID[d.month - 1]} {d.year}"


def is_working_day(d: date, workdays_per_week: int, holidays: Collection[date]) -> bool:
    """Mon–Fri (5-day unit) or Mon–Sat (6-day unit), and not a holiday."""
    _check_workdays(workdays_per_week)
    return d.weekday() < workdays_per_week and d not in holidays


def _days_in_month(year: int, month: int) -> int:
    if not 1 <= month <= 12:
        raise ValueError(f"Bulan harus 1 sampai 12, bukan {month!r}.")
    first_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (first_next - date(year, month, 1)).days


def working_days_in_month(
    year: int, month: int, workdays_per_week: int, holidays: Collection[date]
) -> list[date]:
    """All working days of the month, in order."""
    _check_workdays(workdays_per_week)
    n_days = _days_in_month(year, month)
    first = date(year, month, 1)
    return [
        d
        for d in (first + timedelta(days=i) for i in range(n_days))
        if is_working_day(d, workdays_per_week, holidays)
    ]


def add_working_days(
    d: date, n: int, workdays_per_week: int, holidays: Collection[date]
) -> date:
    """The n-th working day strictly after d (n = 0 returns d itself).

    Friday + 1 in a 5-day unit is the next Monday (or later, skipping holidays); a Sunday + 1
    is the Monday.
    """
    _check_workdays(workdays_per_week)
    if n < 0:
        raise ValueError(f"Jumlah hari kerja tidak boleh negatif ({n}).")
    current = d
    remaining = n
    scanned = 0
    while remaining > 0:
        current += timedelta(days=1)
        scanned += 1
        if scanned > _MAX_SCAN_DAYS + 7 * n:
            raise ValueError("Kalender libur tidak menyisakan hari kerja.")
        if is_working_day(current, workdays_per_week, holidays):
            remaining -= 1
    return current


def working_days_between(
    start: date, end: date, workdays_per_week: int, holidays: Collection[date]
) -> int:
    """Working days strictly after ``start`` up to and including ``end`` (0 if end <= start)."""
    _check_workdays(workdays_per_week)
    count = 0
    current = start + timedelta(days=1)
    while current <= end:
        if is_working_day(current, workdays_per_week, holidays):
            count += 1
        current += timedelta(days=1)
    return count


def submit_deadline(
    activity_date: date, n: int, workdays_per_week: int, holidays: Collection[date]
) -> date:
    """Last day on which an activity of ``activity_date`` may still be submitted:
    the n-th working day after it (``submit_deadline_workdays``, default 2)."""
    return add_working_days(activity_date, n, workdays_per_week, holidays)


def review_deadline(
    submitted_on: date, n: int, workdays_per_week: int, holidays: Collection[date]
) -> date:
    """Last day on which the superior is still on time to decide a submission:
    the n-th working day after submission (``review_deadline_workdays``, default 3)."""
    return add_working_days(submitted_on, n, workdays_per_week, holidays)


def is_overdue(
    submitted_on: date,
    today: date,
    deadline_workdays: int,
    workdays_per_week: int,
    holidays: Collection[date],
) -> bool:
    """True when ``today`` is after the review deadline (``review_deadline``).

    Submitted Monday with a 3-day deadline: Thursday is the last day on time, Friday is overdue.
    Submitted Tuesday: Friday is the last day, so already the Saturday is overdue (a calendar
    day after the deadline, even if not a working day).
    """
    return today > review_deadline(submitted_on, deadline_workdays, workdays_per_week, holidays)
