import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from fugong import cli
from fugong.env import env_bool, env_choice, env_int


def test_env_helpers_fail_loudly_on_bad_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "ten")
    monkeypatch.setenv("X_CHOICE", "staging")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_BOOL")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 1)
    with pytest.raises(ImproperlyConfigured):
        env_choice("X_CHOICE", "development", {"development", "production"})


def test_env_helpers_read_good_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    assert env_bool("X_BOOL") is True
    assert env_int("X_INT", 1) == 42
    assert env_bool("X_UNSET", default=False) is False


def test_the_console_script_accepts_hyphenated_command_names(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["fugong", "import-enterprises", "--help"])
    assert exc.value.code == 0
    assert "--dry-run" in capsys.readouterr().out


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_settings_are_the_chinese_district_defaults(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


def test_a_web_worker_imports_every_view_before_its_first_request():
    probe = "import sys, fugong.wsgi; print('fugong.enterprises.views' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"
