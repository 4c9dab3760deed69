import pytest

from fugong.core.models import Notification
from fugong.core.services import notification_mark_read, notify
from fugong.core.tasks import deliver_notification
from fugong.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_notification_lands_in_the_inbox_and_is_texted_once_committed(outbox):
    user = UserFactory(phone="13812345678", display_name="赵敏")
    [notification] = notify(recipients=[user], title="请填报", body="今日复工情况尚未填报")
    notification.refresh_from_db()
    assert notification.delivery_status == Notification.Status.SENT
    assert [(m.to, m.title) for m in outbox] == [("13812345678", "请填报")]


def test_without_a_phone_number_it_stays_in_the_inbox_only(outbox):
    user = UserFactory(phone="")
    [notification] = notify(recipients=[user], title="通知", body="内容")
    notification.refresh_from_db()
    assert notification.delivery_status == Notification.Status.SKIPPED
    assert outbox == []


def test_a_retried_delivery_does_not_text_twice(outbox):
    user = UserFactory(phone="13812345678")
    [notification] = notify(recipients=[user], title="通知", body="内容")
    deliver_notification.call(notification.pk)
    assert len(outbox) == 1


def test_the_file_backend_appends_a_line_per_message(settings, tmp_path):
    settings.FUGONG_NOTIFICATION_BACKEND = "fugong.core.notifications.FileBackend"
    user = UserFactory(phone="13812345678")
    notify(recipients=[user], title="标题", body="正文")
    [log] = list(settings.FUGONG_OUTBOX_DIR.glob("sms-*.jsonl"))
    assert "正文" in log.read_text(encoding="utf-8")


def test_marking_read_is_only_for_the_recipient():
    owner, other = UserFactory(), UserFactory()
    [notification] = notify(recipients=[owner], title="t", body="b")
    with pytest.raises(Notification.DoesNotExist):
        notification_mark_read(user=other, notification_id=notification.pk)
    assert notification_mark_read(user=owner, notification_id=notification.pk).read_at
