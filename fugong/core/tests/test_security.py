import os
import subprocess
import sys

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fugong.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def test_five_wrong_passwords_lock_the_account(client, people):
    for _ in range(4):
        assert log_in(client, "coordinator", "wrong-password-1").status_code == 200
    assert log_in(client, "coordinator", "wrong-password-1").status_code == 429  # the fifth
    locked = log_in(client, "coordinator")  # even the right password is refused now
    assert locked.status_code == 429
    assert "已锁定15分钟" in locked.content.decode()
    assert log_in(client, "leader").status_code == 302  # other accounts are not affected


def test_a_wrong_password_says_so_in_chinese(client, people):
    response = log_in(client, "coordinator", "wrong-password-1")
    assert "用户名或密码不正确" in response.content.decode()


@pytest.mark.parametrize(
    "password, problem",
    [
        ("abc12345", "至少需要10个字符"),
        ("12345678901", "只包含数字"),
        ("abcdefghijkl", "同时包含字母和数字"),
    ],
)
def test_weak_passwords_are_refused(password, problem):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert any(problem in m for m in exc.value.messages), exc.value.messages


def test_a_strong_password_passes():
    validate_password("Erqi-2020-fugong")


def code_for(device: TOTPDevice, *, drift: int = 0) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{code:06d}"


def test_an_officer_turns_on_two_factor_and_then_needs_the_code(client, people, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no back-off between the wrong and the right code
    client.force_login(people.street_officer)
    client.post(reverse("two_factor"), {"action": "start"})
    device = TOTPDevice.objects.get(user=people.street_officer)
    page = client.get(reverse("two_factor")).content.decode()
    assert "<svg" in page and 'data-testid="totp-secret"' in page
    client.post(reverse("two_factor"), {"action": "confirm", "token": "000000"})
    device.refresh_from_db()
    assert not device.confirmed
    client.post(reverse("two_factor"), {"action": "confirm", "token": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed
    client.logout()

    refused = log_in(client, "huaihe")
    assert refused.status_code == 200 and "已开启双因素认证" in refused.content.decode()
    device.refresh_from_db()
    # A code is good once: the next time step's, which the device's tolerance accepts.
    accepted = log_in(client, "huaihe", otp_token=code_for(device, drift=1))
    assert accepted.status_code == 302, accepted.context["form"].errors


def test_the_back_office_logs_in_through_the_login_that_asks_for_the_code(client, people):
    response = client.get("/admin/login/?next=/admin/enterprises/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/enterprises/"
    # The admin's own form, which would take the password alone, is not reachable by POST.
    client.post("/admin/login/", {"username": "coordinator", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_without_two_factor_the_password_is_enough(client, people):
    assert log_in(client, "leader").status_code == 302


def test_security_headers_and_no_inline_anything(client, people):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode()


def test_sessions_end_when_the_browser_closes_and_after_eight_hours(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_COOKIE_AGE == 8 * 3600


def test_the_api_refuses_a_session_post_without_csrf(people):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people.coordinator)
    response = client.post(reverse("api_enterprises"), {}, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["message"]


def test_the_production_deployment_check_is_clean(tmp_path):
    env = {
        **os.environ,
        "FUGONG_ENV": "production",
        "FUGONG_VAR_DIR": str(tmp_path),
        "FUGONG_SECRET_KEY": "x8$Jq2!vLr9@Wm4#Zt7%Pn1^Ky6&Hb3*Gd5(Fc0)Es2-Aw8+Ux4=Qo6",
        "FUGONG_ALLOWED_HOSTS": "fugong.example.gov.cn",
        "DJANGO_SETTINGS_MODULE": "fugong.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "fugong", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
