"""Working days: the national calendar (holidays and make-up working days, 调休, from the
`chinesecalendar` package) with the district's own adjustments (`CalendarDay`) on top.

A deadline of N working days ends at the close of the Nth working day after the day the clock
started, in Beijing time: a request received on a Friday afternoon with one working day to be
claimed is due by Monday 23:59."""

from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.utils import timezone

from fugong.services.models import CalendarDay


def national_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package does not cover yet: Monday to Friday
        return day.weekday() < 5


def national_name(day: date) -> str:
    """'春节', '调休上班' … for days the national calendar treats specially, else ''."""
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return ""
    if name is None:
        return ""
    chinese = next((h.chinese for h in chinese_calendar.Holiday if h.value == name), name)
    return chinese if is_holiday else f"{chinese}调休上班"


class WorkingCalendar:
    """Answers "is this a working day" for a span of dates with one query for local changes."""

    def __init__(self, start: date, end: date):
        self.local = dict(
            CalendarDay.objects.filter(date__range=(start, end)).values_list(
                "date", "is_working_day"
            )
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.local:
            return self.local[day]
        return national_working_day(day)


def nth_working_day_after(start: date, n: int) -> date:
    """The nth working day strictly after `start` (n ≥ 1)."""
    # Even the longest run of holidays (春节 with its extension) leaves a working day within
    # three weeks, so this span always holds the answer for n ≤ 120.
    calendar = WorkingCalendar(start, start + timedelta(days=n * 2 + 30))
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return day


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def due_after(moment: datetime, working_days: int) -> datetime:
    """The deadline of a clock started at `moment` that allows `working_days` working days."""
    return end_of_day(nth_working_day_after(timezone.localtime(moment).date(), working_days))


def extend(due: datetime, working_days: int) -> datetime:
    return end_of_day(nth_working_day_after(timezone.localtime(due).date(), working_days))


def working_days_in(start: date, end: date) -> list[date]:
    calendar = WorkingCalendar(start, end)
    days, day = [], start
    while day <= end:
        if calendar.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def national_exceptions(year: int) -> list[tuple[date, bool, str]]:
    """The national calendar's departures from Monday-to-Friday in a year: holidays that fall
    on weekdays and weekend days worked in exchange (调休)."""
    exceptions, day = [], date(year, 1, 1)
    while day.year == year:
        working = national_working_day(day)
        if working != (day.weekday() < 5):
            exceptions.append((day, working, national_name(day)))
        day += timedelta(days=1)
    return exceptions
