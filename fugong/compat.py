"""One import point for the task API: Django 6's django.tasks when present, the backport before."""

try:  # pragma: no cover - depends on the Django version installed
    from django.tasks import task, task_backends
except ImportError:  # Django 5.2 LTS
    from django_tasks import task, task_backends

__all__ = ["task", "task_backends"]
