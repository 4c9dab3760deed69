import pytest
from django.core.management import CommandError, call_command

from fugong import cli
from fugong.core.excel import write_xlsx
from fugong.core.tests.factories import uscc_for
from fugong.enterprises.importing import HEADERS
from fugong.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db(transaction=True)


def register_file(tmp_path, rows):
    path = tmp_path / "register.xlsx"
    path.write_bytes(write_xlsx(sheets=[("名录", HEADERS, rows)]))
    return path


def a_row(n, **changes):
    row = dict.fromkeys(HEADERS, "")
    row.update(
        {
            "企业名称": f"郑州命令行{n}有限公司",
            "统一社会信用代码": uscc_for(6000 + n),
            "企业类别": "规下工业",
            "所属街道": "淮河路街道",
        },
        **changes,
    )
    return [row[h] for h in HEADERS]


def test_import_then_export_from_the_command_line(people, tmp_path, capsys):
    path = register_file(tmp_path, [a_row(1), a_row(2)])
    call_command("import_enterprises", str(path), "--dry-run")
    assert "将新增 2 家" in capsys.readouterr().out
    assert not Enterprise.objects.filter(name__startswith="郑州命令行").exists()

    call_command("import_enterprises", str(path))
    assert "已新增 2 家" in capsys.readouterr().out
    assert Enterprise.objects.filter(name__startswith="郑州命令行").count() == 2

    out = tmp_path / "out.xlsx"
    call_command("export_enterprises", str(out))
    assert "已导出 4 家企业" in capsys.readouterr().out and out.stat().st_size > 0


def test_a_refused_import_exits_non_zero_and_prints_its_row_errors(people, tmp_path, capsys):
    path = register_file(tmp_path, [a_row(1), a_row(2, 在册职工人数=-3)])
    with pytest.raises(SystemExit) as exc:
        cli.main(["fugong", "import-enterprises", str(path)])
    assert exc.value.code == 1
    captured = capsys.readouterr()
    assert "第3行「在册职工人数」列：不能小于0" in captured.err
    assert "未导入任何数据" in captured.err
    assert not Enterprise.objects.filter(name__startswith="郑州命令行").exists()


def test_an_unknown_user_or_file_is_a_clear_error(people, tmp_path):
    with pytest.raises(CommandError, match="不存在"):
        call_command("import_enterprises", str(tmp_path / "missing.xlsx"))
    with pytest.raises(CommandError, match="用户 ghost 不存在"):
        call_command("import_enterprises", str(tmp_path / "x.xlsx"), "--user", "ghost")
