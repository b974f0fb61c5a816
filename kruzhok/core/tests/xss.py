"""An XSS payload corpus and a checker for pages that show user text.

The checker parses a page the way a browser would tokenise it and fails on anything that runs
script: a <script> without src (the site has no inline scripts, by CSP), any on* attribute,
a javascript:/vbscript:/data: URL in a link, form or frame, and frames, objects or <base>.
"""

from __future__ import annotations

from html.parser import HTMLParser

PAYLOADS = [
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'><body onload=alert(1)>",
    '<a href="javascript:alert(1)">нажми</a>',
    "[нажми](javascript:alert(1))",
    "[нажми](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '[нажми](https://example.org" onmouseover="alert(1))',
    "**<i onclick=alert(1)>жирный</i>**",
    "<iframe src=javascript:alert(1)></iframe>",
    "<object data=javascript:alert(1)></object>",
    "<base href=//evil.example/>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "{{ 7|add:7 }} {% now 'Y' %}",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<form action=javascript:alert(1)><button>go</button></form>",
    "<a href='&#106;avascript:alert(1)'>x</a>",
    "javascript:alert(document.cookie)",
    "\"'><details open ontoggle=alert(1)>",
]

# Data blocks: the browser never runs them (and CSP's script-src does not apply); a payload that
# closed one early would show up as the inline <script> after it.
DATA_BLOCK_TYPES = ("application/json", "application/ld+json")
DANGEROUS_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}
URL_ATTRS = {"href", "src", "action", "formaction", "data", "xlink:href"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not dict(attrs).get("src") and dict(attrs).get("type") not in DATA_BLOCK_TYPES:
            self.problems.append("inline <script>")
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in URL_ATTRS and value:
                compact = "".join(value.split()).lower()
                if compact.startswith(BAD_SCHEMES):
                    self.problems.append(f"<{tag} {name}={value[:40]}>")

    handle_startendtag = handle_starttag


def script_problems(html: str) -> list[str]:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return checker.problems
