from datetime import datetime

import pytest
from django.utils import timezone

from fugong.resumption.services import report_submit


def at(text: str) -> datetime:
    """'2020-03-23 17:00' in Beijing time."""
    return timezone.make_aware(datetime.fromisoformat(text))


@pytest.fixture
def submit(people):
    """Report as the coordinator (who may report for anyone) unless told otherwise."""

    def report(
        subject,
        when: str,
        status: str,
        *,
        duty: int,
        payroll: int | None = None,
        actor=None,
        **values,
    ):
        return report_submit(
            actor=actor or people.coordinator,
            subject=subject,
            reported_at=at(when),
            status=status,
            workers_on_payroll=subject.payroll_headcount if payroll is None else payroll,
            workers_on_duty=duty,
            **values,
        )

    return report
