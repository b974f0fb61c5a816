"""Editors' pages, one module per kind of work: queue, suggestions, reports, claims, comments,
review (outdated entries) and history (versions and revert)."""
