"""The files in deploy/ (issue 18 item 3: "the task worker and the scheduled jobs as systemd
units", an environment file, the reverse proxy): every ExecStart runs a real command with
arguments it accepts, every timer starts a unit that exists, the environment example names
every variable the settings read, and the proxy logs no path and keeps /metrics local."""

from __future__ import annotations

import configparser
import importlib
import re
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
SETTINGS = [REPO / "src" / "verkstall" / n for n in ("settings.py", "settings_production.py")]
VENV = "/opt/verkstall/venv/bin/"
UNITS = sorted(DEPLOY.glob("*.service"))
TIMERS = sorted(DEPLOY.glob("*.timer"))


def _unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """section -> key -> values (a key may repeat, e.g. ExecStart in a oneshot)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None and "=" in line, f"{path.name}: {raw!r}"
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def _exec_starts() -> list[tuple[str, list[str]]]:
    found = []
    for path in UNITS:
        for value in _unit(path)["Service"].get("ExecStart", []):
            found.append((path.name, shlex.split(value.lstrip("-@:+!"))))
    return found


def test_every_service_and_timer_is_there():  # issue 18
    names = {p.name for p in UNITS}
    assert {"verkstall-web.service", "verkstall-worker.service", "verkstall-mail.service"} <= names
    assert {t.stem for t in TIMERS} == {
        "verkstall-reminders",
        "verkstall-month-reminders",
        "verkstall-absences",
        "verkstall-fee-notices",
        "verkstall-daily",
    }
    assert len(_exec_starts()) >= len(UNITS)


@pytest.mark.parametrize(("unit", "argv"), _exec_starts(), ids=lambda v: " ".join(v)[:60])
def test_each_exec_start_runs_a_real_command_with_arguments_it_takes(unit, argv):  # issue 18
    if argv[0] == VENV + "gunicorn":
        app = argv[1]
        module, _, name = app.partition(":")
        assert callable(getattr(importlib.import_module(module), name)), app
        return
    assert argv[:3] == [VENV + "python", "-m", "verkstall"], (unit, argv)
    command, args = argv[3], argv[4:]
    commands = get_commands()
    assert command in commands, f"{unit}: no command {command!r}"
    parser = load_command_class(commands[command], command).create_parser("verkstall", command)
    parser.parse_args(args)  # exits (SystemExit) on an option the command does not take
    if command == "run_task":
        from verkstall.tooling.management.commands.run_task import task_named

        task_named(args[0])


def test_every_unit_reads_the_environment_file_and_runs_unprivileged():  # issue 18
    for path in UNITS:
        service = _unit(path)["Service"]
        assert service["EnvironmentFile"] == ["/etc/verkstall/verkstall.env"], path.name
        assert service["User"] == ["verkstall"] and service["NoNewPrivileges"] == ["yes"]


def test_every_timer_starts_a_unit_that_exists_and_belongs_to_the_target():  # issue 18
    for timer in TIMERS:
        sections = _unit(timer)
        target = sections["Timer"].get("Unit", [timer.stem + ".service"])[0]
        assert (DEPLOY / target).is_file(), timer.name
        assert _unit(DEPLOY / target)["Service"]["Type"] == ["oneshot"]
        assert sections["Timer"]["OnCalendar"] and sections["Timer"]["Persistent"] == ["true"]
        assert "verkstall.target" in sections["Install"]["WantedBy"][0].split()
    for path in UNITS:
        if _unit(path)["Service"]["Type"] != ["oneshot"]:  # the long-running services
            assert _unit(path)["Install"]["WantedBy"] == ["verkstall.target"], path.name
    assert (DEPLOY / "verkstall.target").is_file()


def test_the_web_unit_shares_metrics_and_writes_no_access_log():  # issue 18
    service = _unit(DEPLOY / "verkstall-web.service")["Service"]
    assert service["RuntimeDirectory"] == ["verkstall-web"]
    assert "VERKSTALL_METRICS_DIR=/run/verkstall-web/metrics" in service["Environment"]
    assert "--access-logfile" not in service["ExecStart"][0]  # it would log paths and queries


def _variables_read_by_settings() -> set[str]:
    names = set()
    for path in SETTINGS:
        text = path.read_text()
        names |= set(re.findall(r'environ(?:\.get)?[\[(]\s*"([A-Z][A-Z0-9_]+)"', text))
        names |= set(re.findall(r'_env_bool\(\s*"([A-Z][A-Z0-9_]+)"', text))
        docstring = text.split('"""')[1]
        names |= set(re.findall(r"\b((?:VERKSTALL|DJANGO)_[A-Z0-9_]+|DATABASE_URL)\b", docstring))
    names.discard("DJANGO_SETTINGS_MODULE")
    return names


def test_the_environment_example_names_every_variable_and_holds_no_secret():  # issue 18
    example = (DEPLOY / "verkstall.env.example").read_text()
    named = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    read = _variables_read_by_settings()
    assert {"DATABASE_URL", "VERKSTALL_LOG_FORMAT", "VERKSTALL_METRICS_ALLOW"} <= read
    assert read - named == set()
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read_string("[env]\n" + example)
    values = dict(parser["env"])
    assert values["DJANGO_SETTINGS_MODULE"] == "verkstall.settings_production"
    assert values["DJANGO_SECRET_KEY"] == ""  # to be filled in, never shipped
    assert "CHANGE" in values["DATABASE_URL"]
    assert "VERKSTALL_METRICS_TOKEN" not in values  # commented out: no token by default


def test_the_proxy_logs_no_path_and_keeps_metrics_to_this_machine():  # issue 18, R10
    site = (DEPLOY / "nginx-verkstall.conf").read_text()
    log_format = re.search(r"log_format verkstall (.*?);", site, flags=re.DOTALL).group(1)
    for variable in ("$request_uri", "$uri", "$args", "$query_string", "$request "):
        assert variable not in log_format + " ", variable
    assert "$request_id" in log_format
    assert re.findall(r"access_log \S+ verkstall;", site)
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert "proxy_set_header X-Request-ID $request_id;" in site
    metrics = re.search(r"location = /metrics \{(.*?)\}", site, flags=re.DOTALL).group(1)
    assert "allow 127.0.0.1;" in metrics and "deny all;" in metrics
    assert "location /static" not in site  # WhiteNoise serves them


# --- run_task: the scheduled jobs that have no command of their own ---------------------------


@pytest.mark.django_db
def test_run_task_runs_a_task_now_or_queues_it():  # issue 18
    from io import StringIO

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    out = StringIO()
    call_command("run_task", "verkstall.audit.tasks.purge_idempotent_responses", stdout=out)
    assert out.getvalue().strip() == "verkstall.audit.tasks.purge_idempotent_responses: 0"
    call_command("run_task", "verkstall.outbox.tasks.purge_sent_mail", "--enqueue", stdout=out)
    assert DBTaskResult.objects.filter(task_path="verkstall.outbox.tasks.purge_sent_mail").exists()


@pytest.mark.parametrize(
    "path",
    [
        "os.system",
        "verkstall.core.clock.now",
        "verkstall.audit.tasks.no_such_task",
        "verkstall.audit.tasks.services",
    ],
)
def test_run_task_refuses_what_is_not_an_application_task(path):  # issue 18
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="task"):
        call_command("run_task", path)
