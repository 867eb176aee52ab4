"""Working-day calendar. Worked examples use the 2024 holidays of Indonesia:

May 2024 (1 May is a Wednesday): holidays on weekdays 1 (Hari Buruh), 9 (Kenaikan Isa Almasih),
10 (cuti bersama), 23 (Waisak), 24 (cuti bersama).
Idul Fitri 2024: 10–11 April holidays, 8, 9, 12, 15 April cuti bersama.
"""

from datetime import date

import pytest

from app.domain.calendar import (
    add_working_days,
    format_date_id,
    is_overdue,
    is_working_day,
    review_deadline,
    submit_deadline,
    working_days_between,
    working_days_in_month,
)

MAY = {date(2024, 5, d) for d in (1, 9, 10, 23, 24)}
LEBARAN = {date(2024, 4, d) for d in (8, 9, 10, 11, 12, 15)}


def test_is_working_day_weekend_and_holiday():
    # Sat 4 May: off in a 5-day unit, working in a 6-day unit; Sunday is always off.
    assert not is_working_day(date(2024, 5, 4), 5, MAY)
    assert is_working_day(date(2024, 5, 4), 6, MAY)
    assert not is_working_day(date(2024, 5, 5), 6, MAY)
    # Wed 1 May is a holiday for both; Thu 2 May is an ordinary working day.
    assert not is_working_day(date(2024, 5, 1), 5, MAY)
    assert not is_working_day(date(2024, 5, 1), 6, MAY)
    assert is_working_day(date(2024, 5, 2), 5, MAY)


def test_working_days_may_2024_five_day():
    # Weekdays: 1–3 (3) + 6–10, 13–17, 20–24, 27–31 (4 × 5 = 20) = 23; minus 5 holidays = 18.
    days = working_days_in_month(2024, 5, 5, MAY)
    assert len(days) == 18
    assert days[0] == date(2024, 5, 2) and days[-1] == date(2024, 5, 31)
    assert date(2024, 5, 9) not in days


def test_working_days_may_2024_six_day():
    # 23 weekdays + Saturdays 4, 11, 18, 25 = 27; minus 5 holidays = 22.
    assert len(working_days_in_month(2024, 5, 6, MAY)) == 22


def test_working_days_june_2024_holiday_on_saturday():
    # 1 June (Pancasila) is a Saturday; 17 June Idul Adha (Mon), 18 June cuti bersama (Tue).
    holidays = {date(2024, 6, 1), date(2024, 6, 17), date(2024, 6, 18)}
    # 5-day: weekdays 3–7, 10–14, 17–21, 24–28 = 20; minus 17 and 18 = 18 (1 June changes nothing).
    assert len(working_days_in_month(2024, 6, 5, holidays)) == 18
    # 6-day: 20 + Saturdays 1, 8, 15, 22, 29 = 25; minus 3 holidays = 22.
    assert len(working_days_in_month(2024, 6, 6, holidays)) == 22


def test_working_days_leap_february_and_december():
    # Feb 2024 starts on Thursday: 1–2 (2) + 5–9, 12–16, 19–23 (15) + 26–29 (4) = 21.
    days = working_days_in_month(2024, 2, 5, set())
    assert len(days) == 21 and days[-1] == date(2024, 2, 29)
    # Dec 2024 starts on Sunday: 2–6, 9–13, 16–20, 23–27, 30–31 = 22.
    assert len(working_days_in_month(2024, 12, 5, set())) == 22


def test_add_working_days_over_weekend():
    # Fri 3 May + 2: 5-day -> Mon 6 (1), Tue 7 (2); 6-day -> Sat 4 (1), Mon 6 (2).
    assert add_working_days(date(2024, 5, 3), 2, 5, MAY) == date(2024, 5, 7)
    assert add_working_days(date(2024, 5, 3), 2, 6, MAY) == date(2024, 5, 6)


def test_add_working_days_over_holidays():
    # Wed 8 May + 2, 5-day: Thu 9 and Fri 10 holidays, weekend, Mon 13 (1), Tue 14 (2).
    assert add_working_days(date(2024, 5, 8), 2, 5, MAY) == date(2024, 5, 14)
    # 6-day: Sat 11 (1), Mon 13 (2).
    assert add_working_days(date(2024, 5, 8), 2, 6, MAY) == date(2024, 5, 13)


def test_add_working_days_over_lebaran():
    # Fri 5 Apr + 2: 8–12 Apr off, weekend, Mon 15 cuti bersama, Tue 16 (1), Wed 17 (2).
    assert add_working_days(date(2024, 4, 5), 2, 5, LEBARAN) == date(2024, 4, 17)


def test_add_working_days_zero_sunday_and_negative():
    assert add_working_days(date(2024, 5, 5), 0, 5, MAY) == date(2024, 5, 5)
    assert add_working_days(date(2024, 5, 5), 1, 5, MAY) == date(2024, 5, 6)  # Sunday + 1 = Monday
    with pytest.raises(ValueError, match="negatif"):
        add_working_days(date(2024, 5, 5), -1, 5, MAY)


def test_working_days_between():
    # Strictly after Fri 3 May up to Tue 7 May: Mon 6, Tue 7 = 2.
    assert working_days_between(date(2024, 5, 3), date(2024, 5, 7), 5, MAY) == 2
    # 6-day adds Sat 4 = 3.
    assert working_days_between(date(2024, 5, 3), date(2024, 5, 7), 6, MAY) == 3
    assert working_days_between(date(2024, 5, 2), date(2024, 5, 2), 5, MAY) == 0
    assert working_days_between(date(2024, 5, 2), date(2024, 5, 3), 5, MAY) == 1
    assert working_days_between(date(2024, 5, 7), date(2024, 5, 3), 5, MAY) == 0
    # 8 May -> 14 May: 9, 10 holidays; 13, 14 = 2.
    assert working_days_between(date(2024, 5, 8), date(2024, 5, 14), 5, MAY) == 2


def test_submit_deadline_across_month_end():
    # Activity Thu 30 May, 2 working days: Fri 31 May (1), Mon 3 June (2).
    assert submit_deadline(date(2024, 5, 30), 2, 5, MAY) == date(2024, 6, 3)
    # Activity Sat 4 May in a 6-day unit: Mon 6 (1), Tue 7 (2).
    assert submit_deadline(date(2024, 5, 4), 2, 6, MAY) == date(2024, 5, 7)


def test_is_overdue_plain_week():
    # Submitted Mon 13 May, 3 working days: deadline Thu 16; Fri 17 is overdue.
    assert review_deadline(date(2024, 5, 13), 3, 5, MAY) == date(2024, 5, 16)
    assert not is_overdue(date(2024, 5, 13), date(2024, 5, 16), 3, 5, MAY)
    assert is_overdue(date(2024, 5, 13), date(2024, 5, 17), 3, 5, MAY)
    # Submitted Tue 14 May: deadline Fri 17; already overdue on Sat 18.
    assert not is_overdue(date(2024, 5, 14), date(2024, 5, 17), 3, 5, MAY)
    assert is_overdue(date(2024, 5, 14), date(2024, 5, 18), 3, 5, MAY)


def test_is_overdue_across_holidays():
    # Submitted Wed 22 May, 5-day: 23, 24 holidays, Mon 27 (1), Tue 28 (2), Wed 29 (3).
    assert not is_overdue(date(2024, 5, 22), date(2024, 5, 29), 3, 5, MAY)
    assert is_overdue(date(2024, 5, 22), date(2024, 5, 30), 3, 5, MAY)
    # 6-day: Sat 25 (1), Mon 27 (2), Tue 28 (3) -> Wed 29 is already overdue.
    assert is_overdue(date(2024, 5, 22), date(2024, 5, 29), 3, 6, MAY)


def test_invalid_workdays_and_month():
    with pytest.raises(ValueError, match="5 atau 6"):
        is_working_day(date(2024, 5, 2), 7, MAY)
    with pytest.raises(ValueError, match="Bulan"):
        working_days_in_month(2024, 13, 5, MAY)


def test_format_date_id():
    assert format_date_id(date(2024, 6, 3)) == "3 Juni 2024"
    assert format_date_id(date(2024, 8, 17)) == "17 Agustus 2024"
