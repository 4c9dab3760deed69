import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fugong.core.tests.factories import uscc_for

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"


def test_every_chinese_string_has_an_english_translation_and_the_catalogue_is_compiled(tmp_path):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt is missing: run scripts/install-system-deps (make test does)"
    compiled = tmp_path / "django.mo"
    result = subprocess.run(
        [msgfmt, "--check-format", "--statistics", "-o", str(compiled), str(LOCALE / "django.po")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    assert compiled.read_bytes() == (LOCALE / "django.mo").read_bytes(), (
        "django.mo is stale: run `make messages`"
    )


def test_the_catalogue_holds_every_string_of_the_code(tmp_path):
    """makemessages run on a copy of the code finds no msgid the committed catalogue lacks."""
    package = LOCALE.parents[2]
    copy = tmp_path / "fugong"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("static", "__pycache__"))
    (tmp_path / "mm_settings.py").write_text(
        "from fugong.test_settings import *  # noqa\nLOCALE_PATHS = []\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mm_settings",
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{package.parent}",
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "en",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = _msgids(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    missing = sorted(fresh - _msgids(LOCALE / "django.po"))
    assert not missing, f"run `make messages` and translate: {missing[:10]}"


def _msgids(po: Path) -> set[tuple[str, str]]:
    """(context, msgid) pairs of a .po file, decoded."""
    entries, context = set(), ""
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        context = "".join(re.findall(r'^msgctxt "(.*)"', block, re.M))
        match = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if match:
            msgid = "".join(re.findall(r'"(.*)"', match.group(1)))
            if msgid:
                entries.add((context, msgid))
    return entries


@pytest.mark.django_db
def test_a_user_can_switch_the_interface_to_english(people, login):
    client = login(people.coordinator)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("enterprises:list")).content.decode()
    assert "Enterprise register" in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "企业名录" in client.get(reverse("enterprises:list")).content.decode()


@pytest.mark.django_db
def test_a_chinese_spreadsheet_imports_while_the_interface_is_english(people, login):
    client = login(people.coordinator)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    csv = (
        "企业名称,统一社会信用代码,企业类别,行业门类,所属街道\n"
        f"郑州英文界面有限公司,{uscc_for(8080)},规下工业,制造业,淮河路街道\n"
        "坏行,123,规下工业,C,淮河路街道\n"
    )
    response = client.post(
        reverse("api_enterprise_import"),
        {"file": SimpleUploadedFile("r.csv", csv.encode()), "dry_run": "true"},
    )
    body = response.json()
    assert [e["field"] for e in body["errors"]] == ["统一社会信用代码"]
    assert body["errors"][0]["message"].startswith("Row 3, column “统一社会信用代码”:")
