"""What the pages of 送要素 share."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect


def acted(request, run, *, done: str, back: str, **kwargs):
    """Run a service from a POSTed action form, flash the outcome, go back to the record."""
    try:
        run()
    except ValidationError as exc:
        messages.error(request, _text(exc))
    else:
        messages.success(request, done)
    return redirect(back, **kwargs)


def _text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(m for messages_ in exc.message_dict.values() for m in messages_)
    return "；".join(exc.messages)
