"""Backups of the whole database: SQLite's online backup API (a consistent copy while the site
runs), or pg_dump's custom format for PostgreSQL; and restoring one into an empty database."""

import hashlib
import shutil
import sqlite3
import subprocess
from pathlib import Path

import dj_database_url
from django.db import connection


class BackupError(Exception):
    pass


def backup(destination: Path) -> Path:
    destination.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(destination) as target:
            connection.connection.backup(target)
        return destination
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(destination), _dsn()])
    return destination


def restore(source: Path, *, target_url: str, allow_nonempty: bool = False) -> None:
    """Restore into the database at `target_url`, which must be empty unless told otherwise."""
    if not source.is_file():
        raise BackupError(f"备份文件不存在：{source}")
    target = dj_database_url.parse(target_url)
    if target["ENGINE"].endswith("sqlite3"):
        path = Path(target["NAME"])
        if not allow_nonempty and _sqlite_tables(path):
            raise BackupError(f"目标数据库不是空的：{path}（确认覆盖请加 --force）")
        with sqlite3.connect(source) as backup_db, sqlite3.connect(path) as database:
            backup_db.backup(database)
        return
    if not allow_nonempty and _postgres_tables(target_url):
        raise BackupError("目标数据库不是空的（确认覆盖请加 --force）")
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            "--clean" if allow_nonempty else "--single-transaction",
            "--dbname",
            target_url,
            str(source),
        ]
    )


def fingerprint(url: str) -> dict:
    """Row counts of every table, and a checksum of the reports in id order: what a restore must
    reproduce exactly."""
    target = dj_database_url.parse(url)
    if target["ENGINE"].endswith("sqlite3"):
        with sqlite3.connect(target["NAME"]) as db:
            return _fingerprint(
                db.execute, lambda r: r.fetchall(), _sqlite_tables(Path(target["NAME"]))
            )
    import psycopg

    with psycopg.connect(url) as db:
        return _fingerprint(db.execute, lambda r: r.fetchall(), _postgres_tables(url))


def fingerprint_current() -> dict:
    """The same, for the database Django is connected to."""
    with connection.cursor() as cursor:

        def execute(sql):
            cursor.execute(sql)
            return cursor

        return _fingerprint(
            execute, lambda c: c.fetchall(), sorted(connection.introspection.table_names(cursor))
        )


def _fingerprint(execute, fetch, tables) -> dict:
    counts = {table: fetch(execute(f'SELECT COUNT(*) FROM "{table}"'))[0][0] for table in tables}
    digest = hashlib.sha256()
    if "resumption_report" in tables:
        rows = fetch(
            execute(
                "SELECT id, enterprise_id, project_id, reported_at, status, workers_on_payroll, "
                "workers_on_duty, superseded_at FROM resumption_report ORDER BY id"
            )
        )
        for row in rows:
            digest.update(repr(tuple(str(v) for v in row)).encode())
    return {"counts": counts, "reports_sha256": digest.hexdigest()}


def _sqlite_tables(path: Path) -> list[str]:
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]


def _postgres_tables(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as db:
        return [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]


def _dsn() -> str:
    settings = connection.settings_dict
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    host = settings.get("HOST") or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgresql://{credentials}{host}{port}/{settings['NAME']}"


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"需要 {command[0]}（PostgreSQL 客户端工具）")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"{command[0]} 失败：{result.stderr.strip()[:500]}")
