"""What every API endpoint shares: pagination, one error shape, Idempotency-Key on creates."""

import hashlib
import json
from collections.abc import Mapping
from contextvars import ContextVar
from functools import wraps

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from fugong.core.exceptions import StaleRecord
from fugong.core.models import IdempotencyRecord
from fugong.core.queries import CompiledQuery


def body(request) -> Mapping:
    """The request body as a mapping: a JSON array or a bare value is a 400, not a crash."""
    if isinstance(request.data, Mapping):
        return request.data
    raise exceptions.ValidationError({"non_field_errors": [_("请求体应为 JSON 对象")]})


def expected_version(request) -> int | None:
    """The version a client edits from: `If-Match: "3"` or `"version": 3` in the body. Without
    either, the change applies to whatever is current (last write wins, as the client asked)."""
    raw = request.headers.get("If-Match", "").strip().strip("W/").strip('"') or body(request).get(
        "version"
    )
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise exceptions.ValidationError({"version": ["版本号应为整数"]}) from None


def import_response(request, run_import) -> Response:
    """The API side of a spreadsheet import: the uploaded `file`, `dry_run=true` to only check;
    a refused file is a 400 listing every row error in the error shape, else 200 or 201."""
    upload = request.FILES.get("file")
    if upload is None:
        raise exceptions.ValidationError({"file": [_("请上传文件")]})
    dry_run = str(body(request).get("dry_run", "")).lower() in ("1", "true", "yes")
    result = run_import(actor=request.user, file=upload, dry_run=dry_run)
    if not result.ok:
        return Response(result.refusal(), status=status.HTTP_400_BAD_REQUEST)
    return Response(
        result.as_dict(), status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED
    )


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def _flatten(detail, field=None):
    """DRF's nested error detail → [(field, code, message)]."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            # str(): a list item's index is a key too, and item 0 must not lose its place.
            name = None if key in ("non_field_errors", "__all__", "detail") else str(key)
            yield from _flatten(value, f"{field}.{name}" if field and name else (name or field))
    elif isinstance(detail, list):
        for item in detail:
            yield from _flatten(item, field)
    else:
        yield field, getattr(detail, "code", "invalid"), str(detail)


def exception_handler(exc, context):
    """Every error is {"code", "message", "field"} with a Chinese message; all of a validation
    failure's problems are listed under "errors" in the same shape."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("记录不存在或无权查看"))
    elif isinstance(exc, DjangoPermissionDenied):
        # A service's own reason ("只有指挥部可以…") tells the caller more than the generic one.
        exc = exceptions.PermissionDenied(str(exc) or _("没有权限执行此操作"))
    elif isinstance(exc, StaleRecord):
        exc = Conflict(str(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    problems = list(_flatten(exc.detail)) or [(None, "error", str(exc))]
    field, code, message = problems[0]
    body = {"code": code, "message": message, "field": field}
    if len(problems) > 1 or isinstance(exc, exceptions.ValidationError):
        body["errors"] = [{"code": c, "message": m, "field": f} for f, c, m in problems]
    response.data = body
    return response


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class IdempotencyConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_conflict"
    default_detail = _("该 Idempotency-Key 已用于另一份不同的请求")


_IN_REQUEST_TRANSACTION: ContextVar[bool] = ContextVar("in_request_transaction", default=False)


def request_atomic(service):
    """transaction.atomic for a service on a busy path. Inside the transaction an API request
    opened for its Idempotency-Key, no savepoint is made: a failure rolls the whole request back
    anyway, and a savepoint costs two round trips to the database. Anywhere else (a page, a
    test's transaction) it is an ordinary atomic block with its savepoint."""

    @wraps(service)
    def wrapper(*args, **kwargs):
        with transaction.atomic(savepoint=not _IN_REQUEST_TRANSACTION.get()):
            return service(*args, **kwargs)

    return wrapper


# Looked up by every create that carries a key: compiled once (fugong.core.queries).
_RECORD = CompiledQuery(
    lambda user_id, scope, key: (
        IdempotencyRecord.objects.filter(user_id=user_id).filter(scope=scope).filter(key=key)[:1]
    ),
    -1,
    "?scope",
    "?key",
)


def idempotent(handler):
    """For a view method that creates something: its first response is stored under the client's
    Idempotency-Key, and a retried request (same user, same endpoint, same key, same body) gets
    that response again instead of creating a duplicate. The same key with another body is a
    409. Without the header the request is handled as usual."""

    @wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > 100:
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("Idempotency-Key 不能超过100个字符")]}
            )
        fingerprint, scope = _fingerprint(request), request.path
        existing = _RECORD.first(request.user.pk, scope, key)
        if existing:
            return _replay(existing, fingerprint)
        token = _IN_REQUEST_TRANSACTION.set(True)
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    IdempotencyRecord.objects.create(
                        user=request.user,
                        scope=scope,
                        key=key,
                        fingerprint=fingerprint,
                        status_code=response.status_code,
                        body=json.loads(json.dumps(response.data, default=str)),
                    )
        except IntegrityError:
            # A concurrent request with the same key committed first; answer as it did.
            existing = _RECORD.first(request.user.pk, scope, key)
            if existing is None:
                raise
            return _replay(existing, fingerprint)
        finally:
            _IN_REQUEST_TRANSACTION.reset(token)
        return response

    return wrapper


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    fields = (
        {k: v for k, v in request.data.items() if k not in request.FILES}
        if hasattr(request.data, "items")
        else request.data
    )
    digest.update(json.dumps(fields, sort_keys=True, default=str).encode())
    for name in sorted(request.FILES):
        for chunk in request.FILES[name].chunks():
            digest.update(chunk)
        request.FILES[name].seek(0)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise IdempotencyConflict()
    return Response(record.body, status=record.status_code, headers={"Idempotent-Replay": "true"})
