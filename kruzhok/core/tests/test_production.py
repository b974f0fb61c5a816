"""The production profile: deploy checks, security headers, /healthz, JSON logs, hashed static files.

Settings are read once at start, so what depends on the environment runs `manage.py` in a
subprocess with the variables a deployer sets; the rest uses the test client.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from kruzhok.analytics.tests.helpers import BROWSER, page_views
from kruzhok.core import health
from kruzhok.core.logging import MASK, JsonFormatter, mask_tokens

ROOT = Path(django_settings.BASE_DIR)
PRODUCTION_SECRET = "prod-secret-Qx7wV2mK9pL4sT8zR1nB6cY3hJ5dF0gA-0123456789abcdefghijkl"


def production_env(**extra: str) -> dict[str, str]:
    """What a deployer puts in /etc/kruzhok.env (README «Deployment»)."""
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process (Playwright's loop): a
    # deployment never has it, and check --deploy rightly refuses it.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "STATIC_", "LOG_")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=PRODUCTION_SECRET,
        ALLOWED_HOSTS="kruzhok.example",
        SITE_URL="https://kruzhok.example",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`manage.py` with this environment, as a deployer would run it."""
    return subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


# --- manage.py check --deploy ---------------------------------------------------------------------


def test_check_deploy_reports_no_issue_with_the_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_with_hsts_subdomains_and_preload_set_silences_nothing():
    env = production_env(SECURE_HSTS_INCLUDE_SUBDOMAINS="1", SECURE_HSTS_PRELOAD="1")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_check_deploy_refuses_the_development_key_and_a_plain_http_site():
    env = production_env(SITE_URL="http://kruzhok.example")
    del env["SECRET_KEY"]
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "kruzhok.E001" in result.stderr
    assert "kruzhok.W001" in result.stderr
    assert "security.W008" in result.stderr  # http SITE_URL: no redirect, no HSTS, no secure cookies


def test_https_settings_follow_site_url_and_stay_off_for_make_run():
    code = (
        "import json; from django.conf import settings as s; print(json.dumps([s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.CSRF_TRUSTED_ORIGINS,"
        " s.LOG_FORMAT, s.STORAGES['staticfiles']['BACKEND'].rsplit('.', 1)[1],"
        " getattr(s, 'SECURE_PROXY_SSL_HEADER', None)]))"
    )
    production = manage(
        "shell", "-v", "0", "-c", code, env=production_env(SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    )
    assert json.loads(production.stdout) == [
        True,
        True,
        31536000,
        True,
        ["https://kruzhok.example"],
        "json",
        "CompressedManifestStaticFilesStorage",
        ["HTTP_X_FORWARDED_PROTO", "https"],
    ]
    development = {k: v for k, v in production_env().items() if k not in {"SITE_URL", "SECRET_KEY"}}
    development["DEBUG"] = "1"
    result = manage("shell", "-v", "0", "-c", code, env=development)
    assert json.loads(result.stdout) == [
        False,
        False,
        0,
        False,
        ["http://127.0.0.1:8000"],
        "text",
        "StaticFilesStorage",
        None,
    ]


def test_a_site_url_that_is_not_a_url_stops_the_start():
    result = manage("check", env=production_env(SITE_URL="kruzhok.example"))
    assert result.returncode != 0
    assert "SITE_URL must be an absolute http:// or https:// URL" in result.stderr


# --- headers under the production settings --------------------------------------------------------


@pytest.fixture
def https_site(settings):
    settings.SITE_URL = "https://kruzhok.example"
    settings.ALLOWED_HOSTS = ["kruzhok.example"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = True
    return Client(HTTP_HOST="kruzhok.example")  # a new client loads the middleware with these


@pytest.mark.django_db
def test_pages_carry_hsts_csp_referrer_policy_and_nosniff_over_https(https_site):
    response = https_site.get("/account/login/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe-inline" not in csp
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"


@pytest.mark.django_db
def test_the_session_cookie_is_secure_httponly_and_lax(https_site):
    def sign_in(request: HttpRequest) -> HttpResponse:
        request.session["_auth_user_id"] = "1"
        return HttpResponse()

    response = SessionMiddleware(sign_in)(RequestFactory().get("/", secure=True))
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_except_the_health_check(https_site):
    response = https_site.get("/search/?q=chess&page=2")
    assert response.status_code == 301
    assert response["Location"] == "https://kruzhok.example/search/?q=chess&page=2"
    assert https_site.get("/healthz").status_code == 200


# --- /healthz ---------------------------------------------------------------------------------------


def queued_task(*, waiting: timedelta, run_after: timezone.datetime | None = None) -> DBTaskResult:
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="kruzhok.notifications.tasks.deliver_mail",
        backend_name="default",
        run_after=run_after or get_date_max(),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - waiting)
    return task


@pytest.mark.django_db
def test_healthz_answers_ok_with_each_check_in_two_queries(client, django_assert_max_num_queries):
    queued_task(waiting=timedelta(seconds=30))
    with django_assert_max_num_queries(2):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    queue = body["checks"]["queue"]
    assert queue["ok"] is True and queue["waiting"] == 1 and queue["max_age_s"] == 300
    assert 30 <= queue["oldest_age_s"] < 300


@pytest.mark.django_db
def test_healthz_is_unhealthy_when_the_oldest_job_waited_too_long(client, settings):
    settings.HEALTHZ_MAX_QUEUE_AGE_S = 60
    queued_task(waiting=timedelta(minutes=5))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["queue"]["ok"] is False
    assert body["checks"]["queue"]["oldest_age_s"] >= 300


@pytest.mark.django_db
def test_healthz_ignores_jobs_delayed_into_the_future_and_done_jobs(client, settings):
    settings.HEALTHZ_MAX_QUEUE_AGE_S = 60
    queued_task(waiting=timedelta(hours=2), run_after=timezone.now() + timedelta(hours=1))
    done = queued_task(waiting=timedelta(hours=2))
    DBTaskResult.objects.filter(pk=done.pk).update(status="SUCCESSFUL")
    # Delayed until ten seconds ago: it has waited ten seconds, not the two hours since it was queued.
    queued_task(waiting=timedelta(hours=2), run_after=timezone.now() - timedelta(seconds=10))
    response = client.get("/healthz")
    assert response.status_code == 200
    queue = response.json()["checks"]["queue"]
    assert queue["waiting"] == 1
    assert 10 <= queue["oldest_age_s"] < 60


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_database_when_it_is_down(client):
    with mock.patch.object(health, "connection") as connection:
        connection.cursor.side_effect = OperationalError("could not connect to server at db.internal:5432")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {
            "database": {"ok": False, "error": "OperationalError"},
            "queue": {"ok": False, "error": "skipped"},
        },
    }
    assert b"db.internal" not in response.content


@pytest.mark.django_db
def test_healthz_is_not_a_page_view_and_refuses_writes(client):
    for _ in range(3):
        assert client.get("/healthz", **BROWSER).status_code == 200
    assert page_views() == []
    assert client.post("/healthz").status_code == 405


# --- JSON logs --------------------------------------------------------------------------------------


def test_a_json_log_line_has_time_level_logger_request_and_exception_and_no_secret():
    request = RequestFactory().get(
        "/account/password/reset/key/1k-cq5a9f0e7b3d2c1a0f9e8d7c6b5a4f3e2/?email=anna@example.org",
        REMOTE_ADDR="203.0.113.7",
    )
    try:
        raise ValueError("the form was invalid")
    except ValueError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            (request.path,),
            sys.exc_info(),
            extra={"request": request, "status_code": 500},
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert set(entry) == {"time", "level", "logger", "message", "path", "method", "status", "exception"}
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "django.request"
    assert entry["method"] == "GET" and entry["status"] == 500
    assert entry["path"] == f"/account/password/reset/key/1k-{MASK}/"
    assert entry["message"] == f"Internal Server Error: /account/password/reset/key/1k-{MASK}/"
    assert (
        entry["exception"].startswith("Traceback")
        and "ValueError: the form was invalid" in entry["exception"]
    )
    assert entry["time"].endswith("+00:00")
    for secret in ("cq5a9f0e7b3d2c1a0f9e8d7c6b5a4f3e2", "anna@example.org", "203.0.113.7", PRODUCTION_SECRET):
        assert secret not in line


@pytest.mark.parametrize(
    "path",
    [
        "/activities/12345-futbol-dlya-detei-2010/",
        "/static/css/site.d7f3c2d7762e.css",
        "/organizations/7-ddt/",
    ],
)
def test_ids_slugs_and_static_names_stay_readable_in_logs(path):
    assert mask_tokens(f"Not Found: {path}") == f"Not Found: {path}"


def test_signed_links_are_masked_in_logs():
    line = mask_tokens("Not Found: /subscriptions/unsubscribe/eyJzIjoxMn0:1tA2bC:abcdEFGH1234ijklMNOP5678/")
    assert line == f"Not Found: /subscriptions/unsubscribe/{MASK}/"


def test_a_plain_log_record_is_one_json_line_too():
    record = logging.LogRecord(
        "kruzhok.search", logging.INFO, __file__, 1, "index loaded: %d words", (42,), None
    )
    assert json.loads(JsonFormatter().format(record))["message"] == "index loaded: 42 words"


# --- static files -------------------------------------------------------------------------------------


def test_collectstatic_writes_hashed_compressed_files_that_whitenoise_serves_for_a_year(tmp_path):
    env = production_env(STATIC_ROOT=str(tmp_path))
    # Our files and the npm packages; Django's admin, ninja's API docs and the libraries' unminified
    # builds are left out to keep this fast (they are collected the same way).
    result = manage(
        "collectstatic", "--noinput", "-i", "admin", "-i", "ninja", "-i", "*-src*", "-i", "*.esm.*", env=env
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/site.css"]
    assert hashed != "css/site.css" and hashed.startswith("css/site.") and hashed.endswith(".css")
    assert (tmp_path / hashed).is_file() and (tmp_path / f"{hashed}.gz").is_file()
    assert manifest["vendor/htmx/htmx.min.js"] != "vendor/htmx/htmx.min.js"
    assert "vendor/leaflet/leaflet.css" in manifest

    code = (
        "from django.templatetags.static import static; from django.test import Client;"
        " url = static('css/site.css'); r = Client().get(url, HTTP_HOST='kruzhok.example', secure=True);"
        " print(url, r.status_code, r['Cache-Control'])"
    )
    served = manage("shell", "-v", "0", "-c", code, env=env)
    assert served.stdout.split() == [f"/static/{hashed}", "200", "max-age=315360000,", "public,", "immutable"]


def test_a_misspelt_log_format_or_boolean_stops_the_start(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from kruzhok.core.env import env_bool, env_choice, env_url, url_origin

    monkeypatch.setenv("LOG_FORMAT", "jsn")
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT must be one of json, text"):
        env_choice("LOG_FORMAT", "json", ("json", "text"))
    monkeypatch.setenv("SECURE_HSTS_PRELOAD", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SECURE_HSTS_PRELOAD must be a boolean"):
        env_bool("SECURE_HSTS_PRELOAD")
    monkeypatch.setenv("SITE_URL", "https://kruzhok.example:8443/path/")
    assert url_origin(env_url("SITE_URL", "")) == "https://kruzhok.example:8443"


def gunicorn_config(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, object]:
    """gunicorn.conf.py as gunicorn reads it: a module executed with the deployer's environment."""
    import runpy

    for name in ("WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "FORWARDED_ALLOW_IPS", "LOG_FORMAT", "DEBUG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_config_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = gunicorn_config(monkeypatch)
    assert (conf["workers"], conf["timeout"], conf["worker_class"]) == (2, 30, "sync")
    assert conf["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert "logconfig_dict" in conf  # JSON lines without DEBUG

    conf = gunicorn_config(monkeypatch, WEB_CONCURRENCY="4", GUNICORN_TIMEOUT="60", DEBUG="1")
    assert (conf["workers"], conf["timeout"]) == (4, 60)
    assert "logconfig_dict" not in conf  # text lines under DEBUG


def test_gunicorn_config_refuses_a_bad_value_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="WEB_CONCURRENCY must be an integer"):
        gunicorn_config(monkeypatch, WEB_CONCURRENCY="two")
