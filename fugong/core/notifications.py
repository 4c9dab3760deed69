"""Delivery backends for notifications. Fugong needs no online service: the default backend
writes each message to var/outbox/, and a deployment plugs in its SMS gateway by dotted path."""

import json
import logging
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    to: str  # the recipient's phone number
    recipient_name: str
    title: str
    body: str


class DeliveryError(Exception):
    pass


class BaseBackend(ABC):
    """What a delivery backend implements: send one message, or raise DeliveryError."""

    @abstractmethod
    def send(self, message: Message) -> None: ...


class ConsoleBackend(BaseBackend):
    def send(self, message: Message) -> None:
        logger.info(
            "通知 → %s（%s）：%s｜%s",
            message.recipient_name,
            message.to,
            message.title,
            message.body,
        )


class FileBackend(BaseBackend):
    """Appends one JSON line per message to var/outbox/sms-YYYY-MM-DD.jsonl."""

    _lock = threading.Lock()

    def send(self, message: Message) -> None:
        outbox = settings.FUGONG_OUTBOX_DIR
        outbox.mkdir(parents=True, exist_ok=True)
        now = timezone.localtime()
        line = json.dumps({"at": now.isoformat(), **message.__dict__}, ensure_ascii=False)
        with self._lock, open(outbox / f"sms-{now:%Y-%m-%d}.jsonl", "a", encoding="utf-8") as f:
            f.write(line + "\n")


class MemoryBackend(BaseBackend):
    """Keeps messages in a list; the test suite reads it."""

    outbox: list[Message] = []

    def send(self, message: Message) -> None:
        if not message.to:
            raise DeliveryError("no phone number")
        self.outbox.append(message)


@cache
def _backend_class(path: str) -> type[BaseBackend]:
    return import_string(path)


def get_backend() -> BaseBackend:
    return _backend_class(settings.FUGONG_NOTIFICATION_BACKEND)()
