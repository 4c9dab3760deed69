"""The `fugong` console script: Django's manage.py with our commands, hyphens allowed."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fugong.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        # `fugong import-enterprises` reads better than import_enterprises; Django wants the latter.
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
