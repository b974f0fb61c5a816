"""User text on pages: plain text with a small Markdown subset, sanitized by nh3 (Ammonia).

The subset is what a parent or a provider actually writes: paragraphs and line breaks,
**bold**, *italic*, lists starting with «- » or «* » or «1. », and links as [text](https://…).
Everything else is shown as typed. The text is escaped first and only our own tags are added,
then nh3 checks the result against an allow-list anyway, so a mistake in the converter cannot
let through a script, an `on*` attribute or a `javascript:` link.
"""

from __future__ import annotations

import html
import re

import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\*\w])\*(?=\S)([^*]+?)(?<=\S)\*(?![\*\w])")
_LINK = re.compile(r"\[([^\]\n]{1,200})\]\((https?://[^\s()<>\"']{1,500})\)")
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_STASH = re.compile("\ue000(\\d+)\ue001")


def _emphasis(text: str) -> str:
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    return _ITALIC.sub(r"<em>\1</em>", text)


def _inline(text: str) -> str:
    # Links are set aside while emphasis is applied: a «*» inside a URL must stay in the URL.
    links: list[str] = []

    def stash(match: re.Match[str]) -> str:
        links.append(f'<a href="{match.group(2)}">{_emphasis(match.group(1))}</a>')
        return f"\ue000{len(links) - 1}\ue001"

    text = _emphasis(_LINK.sub(stash, text))
    return _STASH.sub(lambda m: links[int(m.group(1))], text)


def _block(lines: list[str]) -> str:
    for pattern, tag in ((_BULLET, "ul"), (_NUMBERED, "ol")):
        items = [pattern.match(line) for line in lines]
        if all(items):
            inner = "".join(f"<li>{_inline(m.group(1))}</li>" for m in items if m)
            return f"<{tag}>{inner}</{tag}>"
    return "<p>" + "<br>".join(_inline(line) for line in lines) + "</p>"


def render_user_text(text: str) -> SafeString:
    text = text.replace("\ue000", "").replace("\ue001", "")  # the converter's own markers
    escaped = html.escape(text.replace("\r\n", "\n").replace("\r", "\n"), quote=True)
    blocks = [b for b in re.split(r"\n\s*\n", escaped.strip()) if b.strip()]
    converted = "".join(_block([line for line in b.split("\n") if line.strip()]) for b in blocks)
    clean = nh3.clean(
        converted,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="nofollow ugc noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 — sanitized by nh3 against the allow-list just above  # nosec B308, B703
