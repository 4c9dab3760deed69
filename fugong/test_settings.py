"""Settings for the test suite: the real settings with fast hashing and in-process side effects."""

from fugong.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
FUGONG_NOTIFICATION_BACKEND = "fugong.core.notifications.MemoryBackend"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
