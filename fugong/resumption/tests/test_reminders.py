from datetime import date

import pytest

from fugong.conftest import HUAIHE, at
from fugong.enterprises.tests.factories import EnterpriseFactory
from fugong.resumption.models import Reminder
from fugong.resumption.selectors import missing_by_area, missing_reports
from fugong.resumption.services import reminders_request

pytestmark = pytest.mark.django_db(transaction=True)


def test_who_has_not_reported_on_a_day_by_area(people, submit):
    a, b = people.enterprise_a.enterprise, people.enterprise_b.enterprise
    submit(a, "2020-03-01 23:30", "partly", duty=5)  # 23:30 Beijing time is still 1 March
    enterprises, projects = missing_reports(date(2020, 3, 1), user=people.coordinator)
    assert list(enterprises) == [b] and not projects.exists()
    assert [(r.name, n) for r, n in missing_by_area(date(2020, 3, 1), user=people.coordinator)] == [
        ("解放路街道", 1)
    ]
    enterprises, _projects = missing_reports(date(2020, 3, 2), user=people.coordinator)
    assert set(enterprises) == {a, b}


def test_a_street_officer_sees_only_their_street(people):
    enterprises, _projects = missing_reports(date(2020, 3, 1), user=people.street_officer)
    assert list(enterprises) == [people.enterprise_a.enterprise]


def test_an_entity_closed_for_good_is_not_chased(people, submit):
    submit(people.enterprise_b.enterprise, "2020-02-20 10:00", "closed", duty=0)
    enterprises, _projects = missing_reports(date(2020, 3, 1), user=people.coordinator)
    assert list(enterprises) == [people.enterprise_a.enterprise]


def test_reminders_reach_accounts_or_the_contact_phone_once_a_day(people, district, outbox):
    without_account = EnterpriseFactory(
        region=district.region(HUAIHE), contact_person="钱经理", contact_phone="13911112222"
    )
    reminders_request(actor=people.street_officer, day=date(2020, 3, 1))
    # enterprise A has an account: inbox + text to the account's phone (none here: inbox only);
    # the other has none: a text to its registered contact phone.
    assert people.enterprise_a.notifications.filter(title="请填报复工情况").count() == 1
    assert [m.to for m in outbox] == ["13911112222"]
    assert set(Reminder.objects.values_list("enterprise_id", flat=True)) == {
        people.enterprise_a.enterprise_id,
        without_account.pk,
    }

    reminders_request(actor=people.street_officer, day=date(2020, 3, 1))
    assert Reminder.objects.count() == 2 and len(outbox) == 1  # nobody is reminded twice


def test_reminders_are_not_sent_for_the_future(people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        reminders_request(actor=people.coordinator, day=date(2099, 1, 1))


def test_reports_on_the_day_end_the_chase(people, submit):
    submit(people.enterprise_a.enterprise, "2020-03-01 08:00", "partly", duty=5)
    reminders_request(actor=people.street_officer, day=date(2020, 3, 1))
    assert not Reminder.objects.exists()
    assert at("2020-03-01 08:00")
