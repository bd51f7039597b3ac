"""`python -m verkstall <command>`: Django's management commands (migrate, seed_demo, ...).

`--database-url URL` (used by `bench`) sets DATABASE_URL before the settings are read, so a
command can be pointed at another database without changing the environment."""

import os
import sys


def _database_url(argv: list[str]) -> None:
    for i, arg in enumerate(argv):
        if arg == "--database-url" and i + 1 < len(argv):
            os.environ["DATABASE_URL"] = argv[i + 1]
        elif arg.startswith("--database-url="):
            os.environ["DATABASE_URL"] = arg.split("=", 1)[1]


def main() -> None:
    _database_url(sys.argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verkstall.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0].replace("__main__.py", "verkstall"), *sys.argv[1:]])


if __name__ == "__main__":
    main()
