"""The ``omnitrip`` console script: Django's manage.py with the project's commands.

omnitrip demo     migrate, load the demo catalogue once, serve on 127.0.0.1:8000
omnitrip serve    serve with the production server (gunicorn)
omnitrip seed     load the demo catalogue (--demo) or a scaled one (--scale N)
omnitrip worker   run a Celery worker (with --beat for periodic tasks)
omnitrip <any Django command>, e.g. migrate, createsuperuser, check
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnitrip.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) == 1:
        args.append("help")
    args[0] = "omnitrip"
    # Commands read naturally with hyphens (check-ledger); Django's modules use underscores.
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
