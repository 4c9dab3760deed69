from datetime import date

from fugong.compat import task
from fugong.core.models import User
from fugong.resumption.selectors import missing_reports
from fugong.resumption.services import reminder_send


@task()
def remind_missing_reports(day: str, requested_by: int) -> int:
    """Remind every entity in the requester's scope that has not reported on `day`; entities
    already reminded that day are skipped, so running it twice texts nobody twice."""
    user = User.objects.get(pk=requested_by)
    reporting_day = date.fromisoformat(day)
    sent = 0
    for entities in missing_reports(reporting_day, user=user):
        for subject in entities.iterator(chunk_size=500):
            if reminder_send(subject=subject, day=reporting_day, requested_by=user):
                sent += 1
    return sent
