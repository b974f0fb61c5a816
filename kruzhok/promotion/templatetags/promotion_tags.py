"""`post_text`: a news post's plain text as safe HTML, with bare https:// addresses as links."""

from __future__ import annotations

import re

from django import template
from django.utils.safestring import SafeString

from kruzhok.core.markup import render_user_text

register = template.Library()

# A bare address not already the target or the text of a [text](url) link.
_BARE_URL = re.compile(r"(?<![\(\[/\w])(https?://[^\s<>\"'()\[\]]{1,500})")
_TRAILING = ".,;:!?»"


def _as_link(match: re.Match[str]) -> str:
    url = match.group(1)
    tail = ""
    while url and url[-1] in _TRAILING:
        url, tail = url[:-1], url[-1] + tail
    label = url if len(url) <= 120 else url[:119] + "…"
    return f"[{label}]({url}){tail}"


def linkify(text: str) -> str:
    """Markdown links for bare addresses, so `render_user_text` (escaping, nh3) makes them."""
    return "\n".join(_BARE_URL.sub(_as_link, line) for line in text.split("\n"))


@register.filter
def post_text(value: object) -> SafeString:
    return render_user_text(linkify("" if value is None else str(value)))
