"""API keys: `Authorization: Bearer fg_<prefix>_<secret>`. The prefix finds the key, the secret's
SHA-256 is compared in constant time (a random 256-bit secret needs no slow hash)."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.permissions import SAFE_METHODS

from fugong.core.models import ApiKey, User
from fugong.core.queries import CompiledQuery

KEY_PREFIX = "fg"
LAST_USED_GRANULARITY = timedelta(minutes=5)  # record use, but not a write on every request
# Every report an HR system posts looks its key and user up: compiled once (fugong.core.queries).
_KEY_BY_PREFIX = CompiledQuery(lambda prefix: ApiKey.objects.filter(prefix=prefix)[:1], "?")
_USER_BY_ID = CompiledQuery(lambda pk: User.objects.filter(pk=pk)[:1], -1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *, user: User, name: str, scope: str, days: int | None = None
) -> tuple[ApiKey, str]:
    """A new key and its full text, which is not stored and cannot be shown again."""
    prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        user=user,
        name=name.strip()[:60],
        prefix=prefix,
        secret_hash=_hash(secret),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    return key, f"{KEY_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def api_key_revoke(*, user: User, key_id: int) -> ApiKey:
    key = ApiKey.objects.select_for_update().get(pk=key_id, user=user)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        if not header.startswith(f"{self.keyword} {KEY_PREFIX}_"):
            return None
        try:
            _kw, _fg, prefix, secret = header.replace(" ", "_", 1).split("_", 3)
        except ValueError:
            raise exceptions.AuthenticationFailed(_("接口密钥格式不正确")) from None
        key = _KEY_BY_PREFIX.first(prefix)
        if key is None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
            raise exceptions.AuthenticationFailed(_("接口密钥无效"))
        user = _USER_BY_ID.first(key.user_id)
        if user is None:  # removed since the key was read
            raise exceptions.AuthenticationFailed(_("接口密钥无效"))
        key.user = user
        if not key.is_active or not user.is_active:
            raise exceptions.AuthenticationFailed(_("接口密钥已吊销或已过期"))
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return key.user, key

    def authenticate_header(self, request):
        return self.keyword


def key_allows(request, view) -> bool:
    """What the key's scope lets this request do (session logins are not limited)."""
    key = request.auth if isinstance(request.auth, ApiKey) else None
    if key is None or key.scope == ApiKey.Scope.FULL:
        return True
    if key.scope == ApiKey.Scope.READ:
        return request.method in SAFE_METHODS
    return ApiKey.Scope.REPORTS in getattr(view, "api_key_scopes", ())
