from datetime import date

import pytest

from fugong.conftest import at
from fugong.services import calendar
from fugong.services.models import CalendarDay

pytestmark = pytest.mark.django_db


def test_a_weekend_is_not_counted():
    # Friday afternoon, one working day: due at the close of Monday.
    assert calendar.due_after(at("2020-03-20 15:00"), 1) == at("2020-03-23 23:59:59")


def test_a_public_holiday_is_not_counted():
    # 清明节 2020: Saturday 4 April to Monday 6 April.
    assert calendar.due_after(at("2020-04-03 10:00"), 1) == at("2020-04-07 23:59:59")


def test_a_make_up_working_day_counts():
    # Sunday 26 April 2020 was worked in exchange for the Labour Day holiday (调休).
    assert calendar.due_after(at("2020-04-24 16:00"), 1) == at("2020-04-26 23:59:59")
    assert calendar.national_name(date(2020, 4, 26)) == "劳动节调休上班"


def test_the_spring_festival_and_its_2020_extension_are_holidays():
    assert calendar.due_after(at("2020-01-23 09:00"), 1) == at("2020-02-03 23:59:59")


def test_a_local_holiday_and_a_local_working_day_override_the_national_calendar():
    CalendarDay.objects.create(date=date(2020, 3, 23), is_working_day=False, name="区内调整")
    CalendarDay.objects.create(date=date(2020, 3, 22), is_working_day=True, name="区内补班")
    assert calendar.due_after(at("2020-03-20 15:00"), 1) == at("2020-03-22 23:59:59")
    assert calendar.due_after(at("2020-03-20 15:00"), 2) == at("2020-03-24 23:59:59")


def test_a_clock_started_on_a_holiday_starts_counting_on_the_next_working_day():
    assert calendar.due_after(at("2020-03-21 11:00"), 3) == at("2020-03-25 23:59:59")


def test_a_year_the_national_calendar_does_not_cover_falls_back_to_weekdays():
    assert calendar.national_working_day(date(2099, 1, 5))  # a Monday
    assert not calendar.national_working_day(date(2099, 1, 3))  # a Saturday
