#!/usr/bin/env python
"""Import benchmark: the demo district's 27,039-row register as one .xlsx file, imported into an
empty database by Fugong's importer and, for comparison in the same run, by a naive loop that
validates the same rows the same way and then calls Model.save() once per row (inside a single
transaction, which is kinder to the naive loop than autocommit would be).

    .venv/bin/python bench/import_enterprises.py                 # SQLite (a fresh file per run)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/import_enterprises.py             # PostgreSQL (fresh databases)

Targets (issue 2): the whole file in under 15 s on SQLite, at least 5x the naive loop.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(var_dir: Path, database_url: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "fugong.settings",
            "FUGONG_VAR_DIR": str(var_dir),
            "DATABASE_URL": database_url,
            "FUGONG_TASKS_BACKEND": "immediate",
            "FUGONG_LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()


def build_file(path: Path) -> int:
    """The demo register, built in memory (no database) and written as the import template."""
    from fugong.core import demo as core_demo
    from fugong.core.excel import write_xlsx
    from fugong.core.models import Region
    from fugong.enterprises.demo import DemoRegister
    from fugong.enterprises.importing import HEADERS, export_row
    from fugong.enterprises.models import GradeRule
    from fugong.enterprises.services import DEFAULT_GRADE_RULES

    regions = {code: Region(code=code, name=name) for code, name in core_demo.STREETS}
    regions.update({code: Region(code=code, name=name) for code, name, _k in core_demo.TOWNS})
    regions.update({code: Region(code=code, name=name) for code, name, _p in core_demo.PARKS})
    rules = [GradeRule(**values) for values in DEFAULT_GRADE_RULES]
    enterprises = DemoRegister(regions, grade_rules=rules).build_enterprises()
    rows = [export_row(e, mask_personal_data=False) for e in enterprises]
    path.write_bytes(write_xlsx(sheets=[("企业名录", HEADERS, rows)]))
    return len(rows)


def measure(mode: str, file: Path) -> dict:
    """Runs in a child process with its own empty database."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from fugong.core import demo as core_demo
    from fugong.core.services import user_create

    call_command("migrate", verbosity=0)
    core_demo.load_regions()
    core_demo.load_departments()
    actor = user_create(username="bench", role="coordinator", password=None)
    started = time.perf_counter()
    if mode == "fugong":
        from fugong.enterprises.services import enterprises_import

        with file.open("rb") as handle:
            result = enterprises_import(actor=actor, file=handle)
        assert result.ok, result.as_dict()
        rows = result.created
    else:
        rows = naive_import(file, actor, transaction)
    elapsed = time.perf_counter() - started
    return {"mode": mode, "rows": rows, "seconds": elapsed, "vendor": connection.vendor}


def naive_import(file: Path, actor, transaction) -> int:
    from fugong.core.excel import read_table
    from fugong.core.importing import parse_rows
    from fugong.enterprises import importing
    from fugong.enterprises.models import Enterprise

    with file.open("rb") as handle:
        parsed = parse_rows(read_table(handle), importing.columns(importing.RegionLookup()))
    with transaction.atomic():
        for _row, values in parsed.rows:
            enterprise = Enterprise(**values)
            enterprise._history_user = actor
            enterprise.refresh_name_keys()
            enterprise.save()
    return len(parsed.rows)


def fresh_database(base_url: str, name: str, work: Path) -> str:
    if not base_url.startswith("postgres"):
        return f"sqlite:///{work / (name + '.sqlite3')}"
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        setup_django(Path(os.environ["FUGONG_VAR_DIR"]), os.environ["DATABASE_URL"])
        print(json.dumps(measure(sys.argv[2], Path(sys.argv[3]))))
        return
    work = Path(tempfile.mkdtemp(prefix="fugong-bench-"))
    base_url = os.environ.get("DATABASE_URL", "sqlite://")
    setup_django(work, f"sqlite:///{work / 'scratch.sqlite3'}")
    file = work / "register.xlsx"
    started = time.perf_counter()
    rows = build_file(file)
    print(
        f"built {file.name}: {rows:,} rows, {file.stat().st_size / 1e6:.1f} MB "
        f"in {time.perf_counter() - started:.1f} s"
    )
    results = []
    for mode in ("fugong", "naive"):
        env = {
            **os.environ,
            "FUGONG_VAR_DIR": str(work),
            "DATABASE_URL": fresh_database(base_url, f"fugong_bench_{mode}", work),
        }
        output = subprocess.run(
            [sys.executable, __file__, "--measure", mode, str(file)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    ours, naive = results
    print(f"database: {ours['vendor']}")
    for r in results:
        print(
            f"{r['mode']:>8}: {r['rows']:,} rows in {r['seconds']:.2f} s = "
            f"{r['rows'] / r['seconds']:,.0f} rows/s"
        )
    print(
        f"ratio: {naive['seconds'] / ours['seconds']:.1f}x the naive loop "
        f"(target >= 5x; whole file target < 15 s)"
    )


if __name__ == "__main__":
    main()
