from django.utils import timezone

from fugong.compat import task
from fugong.core.models import Notification
from fugong.core.notifications import DeliveryError, Message, get_backend


@task()
def deliver_notification(notification_id: int) -> str:
    """Send one notification through the backend and record the outcome on the row."""
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    if notification.delivery_status == Notification.Status.SENT:
        return notification.delivery_status  # a retried task must not text the person twice
    recipient = notification.recipient
    if not recipient.phone:
        notification.delivery_status = Notification.Status.SKIPPED
        notification.delivery_error = "接收人未登记手机号，仅站内通知"
    else:
        message = Message(
            to=recipient.phone,
            recipient_name=recipient.name,
            title=notification.title,
            body=notification.body,
        )
        try:
            get_backend().send(message)
        except DeliveryError as exc:
            notification.delivery_status = Notification.Status.FAILED
            notification.delivery_error = str(exc)[:300]
        else:
            notification.delivery_status = Notification.Status.SENT
            notification.delivered_at = timezone.now()
    notification.save(update_fields=["delivery_status", "delivery_error", "delivered_at"])
    return notification.delivery_status
