"""Keeping the search index current (filled in by the search core)."""


def connect_signals() -> None:
    return None
