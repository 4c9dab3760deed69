"""What the pages of 送要素 share."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect


def apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def form_errors(form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.extend(f"{label}：{e}" if label else e for e in errors)
    return "；".join(parts)


def querystring(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


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
