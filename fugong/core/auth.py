"""Logging in: password, then (for accounts that enrolled one) a TOTP code; five wrong passwords
lock the username for a while (django-axes)."""

import segno
from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.forms import OTPAuthenticationForm, OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.views import LoginView as OTPLoginView

DEVICE_NAME = "复工通"


class LoginForm(OTPAuthenticationForm):
    otp_error_messages = dict(
        OTPAuthenticationFormMixin.otp_error_messages,
        token_required=_("该账号已开启双因素认证，请输入手机验证器上的6位动态码"),
        invalid_token=_("动态码不正确或已过期，请重新输入"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["otp_token"].label = _("动态码")
        self.fields["otp_token"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "class": "form-control"}
        )
        self.error_messages["invalid_login"] = _(
            "用户名或密码不正确，请重试。连续输错5次将锁定15分钟。"
        )

    def _chosen_device(self, user):
        # An account has one authenticator at most: no need to make the person pick it.
        return super()._chosen_device(user) or confirmed_device(user)

    def clean_otp(self, user):
        # Two-factor is optional: an account without a confirmed authenticator needs no code.
        if user is not None and user_has_device(user, confirmed=True):
            super().clean_otp(user)


class LoginView(OTPLoginView):
    otp_authentication_form = LoginForm
    template_name = "registration/login.html"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def totp_start(*, user) -> TOTPDevice:
    """A fresh, unconfirmed device: the user scans it, then confirms it with a code."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def totp_confirm(*, user, token: str) -> bool:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


@transaction.atomic
def totp_disable(*, user, token: str) -> bool:
    device = confirmed_device(user)
    if device is None or not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=user).delete()
    return True


def qr_svg(device: TOTPDevice) -> str:
    """The provisioning address as an inline SVG (no script, no style: fine under our CSP)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("动态码"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "form-control"}
        ),
    )
