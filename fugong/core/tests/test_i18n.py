import shutil
import subprocess
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
