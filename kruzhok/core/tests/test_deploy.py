"""deploy/ (systemd units, nginx site, the environment file) agrees with the code and the README."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("kruzhok-*.*"))
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _exec_commands() -> dict[str, str]:
    """unit file name → the management command its ExecStart runs."""
    found = {}
    for unit in UNITS:
        match = re.search(
            r"^ExecStart=(?:/usr/bin/flock .*? )?\S+/python manage\.py (\w+)", unit.read_text(), re.MULTILINE
        )
        if match:
            found[unit.name] = match.group(1)
    return found


def _variables_read() -> set[str]:
    """Every environment variable the settings, gunicorn.conf.py and the code read."""
    names: set[str] = set()
    pattern = re.compile(r"""(?:env_\w+|os\.environ\.get|getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']""")
    for path in [ROOT / "gunicorn.conf.py", *ROOT.joinpath("kruzhok").rglob("*.py")]:
        if "tests" not in path.parts:
            names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_unit_runs_a_management_command_that_exists():
    commands = _exec_commands()
    assert commands, "no unit runs manage.py"
    known = get_commands()
    assert {name for name in commands.values() if name not in known} == set()


def test_every_periodic_command_the_readme_puts_in_cron_has_a_timer():
    in_cron = set(re.findall(r"[\d*/,-]+ [\d*/,-]+ \* \* \* [^\n`]*?manage\.py (\w+)", README))
    assert in_cron >= {"review_cycle", "send_alerts", "aggregate_analytics", "export_open_data", "backup"}
    timed = {
        command
        for unit, command in _exec_commands().items()
        if (DEPLOY / "systemd" / unit.replace(".service", ".timer")).exists()
    }
    assert in_cron - timed == set()


def test_every_timer_starts_a_oneshot_service_of_the_same_name():
    for timer in (DEPLOY / "systemd").glob("*.timer"):
        service = timer.with_suffix(".service")
        assert service.exists(), timer.name
        assert "Type=oneshot" in service.read_text(), service.name
        assert re.search(r"^OnCalendar=.+$", timer.read_text(), re.MULTILINE), timer.name


def test_every_unit_reads_the_environment_file_and_runs_from_the_checkout():
    for unit in UNITS:
        if unit.suffix == ".service":
            text = unit.read_text()
            assert "EnvironmentFile=/etc/kruzhok.env" in text and "WorkingDirectory=/srv/kruzhok" in text, (
                unit
            )


def test_the_environment_file_names_only_settings_that_exist_and_the_readme_documents():
    keys = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", (DEPLOY / "kruzhok.env").read_text(), re.MULTILINE))
    assert {"SECRET_KEY", "DATABASE_URL", "CACHE_URL", "S3_BUCKET", "TRUSTED_PROXIES"} <= keys
    assert keys - _variables_read() == set()
    assert {key for key in keys if f"`{key}`" not in README} == set()


def test_nginx_takes_an_import_as_large_as_the_app_accepts_and_passes_the_client_address():
    site = (DEPLOY / "nginx" / "kruzhok.conf").read_text()
    size = re.search(r"client_max_body_size (\d+)m;", site)
    assert size and int(size.group(1)) * 1024 * 1024 > settings.IMPORT_MAX_BYTES
    for header in ("X-Forwarded-For $proxy_add_x_forwarded_for", "X-Forwarded-Proto $scheme", "Host $host"):
        assert f"proxy_set_header {header};" in site
    assert re.search(r"upstream kruzhok_app \{(?:[^}]*\bserver \S+:8000){2,}", site)
    zone = re.search(r"proxy_cache (\w+);", site)
    assert zone and f"keys_zone={zone.group(1)}:" in (DEPLOY / "nginx" / "kruzhok-cache.conf").read_text()
    assert "location /media/uploads/ { return 404; }" in site


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units():
    result = subprocess.run(  # noqa: S603 — fixed arguments
        [shutil.which("systemd-analyze") or "", "verify", "--man=no", *map(str, UNITS)],
        capture_output=True,
        text=True,
        env={"SYSTEMD_LOG_LEVEL": "err", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    # /srv/kruzhok does not exist on the machine that runs the tests; anything else is a mistake.
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "is not executable: No such file or directory" not in line
    ]
    assert problems == []


def test_the_environment_file_reads_the_same_in_a_shell_as_in_systemd():
    """The crontab lines in this README source it with `set -a; . /etc/kruzhok.env`."""
    env_file = DEPLOY / "kruzhok.env"
    result = subprocess.run(  # noqa: S603 — fixed arguments
        ["/bin/sh", "-c", f'set -a; . "{env_file}"; printf "%s" "$DEFAULT_FROM_EMAIL"'],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert result.stdout == "Кружок <noreply@kruzhok.example>" and result.stderr == ""
