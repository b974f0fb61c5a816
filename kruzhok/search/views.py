"""The search page. Interim: the catalog's view until the new page lands."""

from kruzhok.catalog.views import search

__all__ = ["search"]
