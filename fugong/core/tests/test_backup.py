import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from fugong.core.backup import fingerprint, fingerprint_current

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def empty_database(tmp_path):
    """A new, empty database of the kind under test."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    settings = connection.settings_dict
    base = f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}"
    name = f"fugong_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_an_empty_database_with_every_row(
    people, submit, tmp_path, empty_database, capsys
):
    a = people.enterprise_a.enterprise
    submit(a, "2020-03-01 10:00", "partly", duty=5)
    submit(a, "2020-03-02 10:00", "resumed", duty=20)
    before = fingerprint_current()
    assert before["counts"]["resumption_report"] == 2

    file = tmp_path / "fugong.backup"
    call_command("backup", "--output", str(file))
    call_command("restore", str(file), "--target-url", empty_database)
    assert "复工填报 2 份" in capsys.readouterr().out

    after = fingerprint(empty_database)
    assert after == before


def test_restoring_over_data_needs_force(people, tmp_path, empty_database):
    file = tmp_path / "fugong.backup"
    call_command("backup", "--output", str(file))
    call_command("restore", str(file), "--target-url", empty_database)
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", str(file), "--target-url", empty_database)


def test_a_missing_backup_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="备份文件不存在"):
        call_command(
            "restore",
            str(tmp_path / "none.backup"),
            "--target-url",
            f"sqlite:///{tmp_path / 'x.sqlite3'}",
        )
