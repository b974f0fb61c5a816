"""The provider-area personas (kruzhok/catalog/tests/personas.py) for the event pages."""

from kruzhok.catalog.tests.personas import *  # noqa: F403
