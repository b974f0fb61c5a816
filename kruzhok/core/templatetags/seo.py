"""Template tags for what machines read: JSON-LD blocks, page summaries, captured blocks."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.template.base import Parser, Token
from django.utils.safestring import SafeString, mark_safe

from kruzhok.core.seo import DESCRIPTION_CHARS, summary_text

register = template.Library()

# Inside <script> the HTML parser ends the element at «</script» and changes state at «<!--»
# whatever JSON thinks; escaping <, > and & as \u003c… (valid JSON, the same string) makes a
# hostile title unable to close the block. U+2028/2029 are escaped for old JavaScript parsers.
_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def json_ld_text(data: Any) -> str:
    """The JSON of a JSON-LD block, safe to place between <script> tags."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)


@register.simple_tag
def json_ld(data: Any) -> SafeString:
    """`{% json_ld structured_data %}`: a <script type="application/ld+json"> block, or nothing.

    A data block, not a script: browsers never run it, so the Content Security Policy's
    script-src (no inline scripts) does not apply to it."""
    if not data:
        return SafeString("")
    return mark_safe(f'<script type="application/ld+json">{json_ld_text(data)}</script>')  # noqa: S308 (json_ld_text escapes <, > and &)  # nosec B308, B703


@register.filter
def summary(value: Any, limit: int = DESCRIPTION_CHARS) -> str:
    """Rendered text as a one-line description of at most `limit` characters (escaped again by
    the template: the filter's output is plain text)."""
    return summary_text(value, limit=limit)


class CaptureNode(template.Node):
    child_nodelists = ("nodelist",)  # so {% block %}s inside stay overridable by child templates

    def __init__(self, nodelist: template.NodeList, name: str) -> None:
        self.nodelist = nodelist
        self.name = name

    def render(self, context: template.Context) -> str:
        # Template output, escaped as it was rendered.
        context[self.name] = mark_safe(self.nodelist.render(context))  # noqa: S308 (escaped as rendered)  # nosec B308, B703
        return ""


@register.tag
def capture(parser: Parser, token: Token) -> CaptureNode:
    """`{% capture name %}…{% endcapture %}` renders its content into a variable instead of the
    page: base.html uses a page's title and description blocks both in <title> and in its
    Open Graph tags, and Django renders a block only once."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% capture %} takes one variable name")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[1])
