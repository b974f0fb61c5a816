"""The provider-area personas (see kruzhok/catalog/tests/personas.py) for these tests."""

from kruzhok.catalog.tests.personas import *  # noqa: F403
