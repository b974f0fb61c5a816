"""Fixtures shared by every app's tests: named personas and a small catalog factory."""

from __future__ import annotations

import pytest

from kruzhok.catalog.tests import factories

# What a test must ask for to reach the database (pytest-django refuses it any other way).
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}


# The browser tests' screen widths: the name of a narrow one (the others are desktop widths).
VIEWPORT_PARAMETERS = ("viewport_name", "viewport")
PHONE_VIEWPORTS = {"phone", "390"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the database (the PostgreSQL run: the rest ran on SQLite)",
    )
    parser.addoption(
        "--one-width-per-database",
        action="store_true",
        help="run each browser test at the phone width on SQLite and at the desktop width on PostgreSQL",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`make test` runs the suite once per database. What does not depend on the database runs once:
    the tests that never reach it run on SQLite only, and each browser test runs on both databases
    but at one width on each (the width is the browser's layout, not the server's data)."""
    database_only = config.getoption("--database-tests-only")
    one_width = config.getoption("--one-width-per-database")
    if not (database_only or one_width):
        return
    from django.db import connection

    phone_here = connection.vendor == "sqlite"
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        keep = True
        if database_only:
            uses_database = item.get_closest_marker("django_db") or item.get_closest_marker("database")
            keep = bool(uses_database or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))
        params = getattr(getattr(item, "callspec", None), "params", {})
        width = next((params[name] for name in VIEWPORT_PARAMETERS if name in params), None)
        if one_width and width is not None:
            keep = keep and (width in PHONE_VIEWPORTS) == phone_here
        (kept if keep else dropped).append(item)
    config.hook.pytest_deselected(items=dropped)
    items[:] = kept


@pytest.fixture
def direction_sport():
    return factories.direction("sport")


@pytest.fixture
def organization(db):
    return factories.organization(name="ДДТ «Кировский»")


@pytest.fixture
def activity(db):
    return factories.activity()


@pytest.fixture
def parent(client):
    """An anonymous parent browsing the site."""
    return client


@pytest.fixture
def editor(db, django_user_model):
    return django_user_model.objects.create_user(
        username="editor",
        email="editor@example.org",
        password="x-Strong-Pass-42",
        is_staff=True,
        is_editor=True,
    )


@pytest.fixture
def admin_user(db, django_user_model):
    """pytest-django's admin (and so `admin_client`), with the TOTP every admin must enrol before
    the admin site lets them in."""
    from kruzhok.accounts.tests.factories import enrol_totp

    user = django_user_model.objects.create_superuser(
        username="admin", email="admin@example.com", password="password"
    )
    enrol_totp(user)
    return user


@pytest.fixture(autouse=True)
def _fresh_search_memory():
    """Each test rolls its database back: the per-process search copies (and rendered results,
    keyed by the index's sequence number, which the rollback reuses) must not outlive it."""
    from django.core.cache import cache

    from kruzhok.search import store, taxonomy

    store.reset()
    taxonomy.clear()
    cache.clear()
    yield
    store.reset()
    taxonomy.clear()
    cache.clear()


@pytest.fixture(autouse=True)
def _empty_analytics_buffer():
    """Counted page views live in a per-process buffer until written: none may reach the next test."""
    from kruzhok.analytics import collect

    collect.discard()
    yield
    collect.discard()


@pytest.fixture(autouse=True)
def _russian_between_tests():
    """The language middleware activates the visitor's language for the thread; an English
    request must not leave the next test speaking English."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production hashes a password with PBKDF2 at 1.5 million rounds (0.8 s here); every test that
    creates or signs in a user would pay that. The hash itself is Django's to test, not ours."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _open_data_dir(settings, tmp_path):
    """The open data files of a test live in its own directory: never in the developer's media
    directory, and never left over from another test (a page would then show them)."""
    settings.OPEN_DATA_DIR = tmp_path / "open-data"
