#!/usr/bin/env python3
"""Phone and desktop screenshots of the main public pages of a running Kruzhok site.

    .venv/bin/python scripts/screenshots.py [BASE_URL] [--query футбол] [--out DIR]

BASE_URL defaults to http://127.0.0.1:8000 (`make run`). The activity, organization and okrug
pages are found by following links from the site itself, so any catalog works. Uses Debian's
chromium through Playwright; requests to other hosts (map tiles) are let through only with
--allow-external, so the pictures never depend on the network.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlencode, urljoin

from playwright.sync_api import Page, Route, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}


def _first_href(page: Page, selector: str) -> str | None:
    link = page.locator(selector).first
    return link.get_attribute("href") if link.count() else None


def discover(page: Page, base: str, query: str) -> dict[str, str]:
    """Paths of the pages to shoot, found by browsing like a visitor."""
    paths = {"home": "/", "search": "/search/?" + urlencode({"q": query})}
    page.goto(urljoin(base, "/"))
    for name, selector in [
        ("direction", "a[href^='/directions/']"),
        ("category", "a[href^='/categories/']"),
        ("okrug", "a[href^='/districts/']"),
    ]:
        href = _first_href(page, selector)
        if href:
            paths[name] = href
    page.goto(urljoin(base, paths["search"]))
    activity = _first_href(page, ".card-title a")
    if not activity:  # the query found nothing: any activity will do
        page.goto(urljoin(base, "/search/"))
        activity = _first_href(page, ".card-title a")
    if activity:
        paths["activity"] = activity
        page.goto(urljoin(base, activity))
        organization = _first_href(page, ".detail-org a")
        if organization:
            paths["organization"] = organization
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--query", default="футбол", help="search text for the /search/ shot")
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screenshots")
    parser.add_argument("--allow-external", action="store_true", help="let map tiles load from the internet")
    args = parser.parse_args(argv)
    base = args.base_url.rstrip("/") + "/"
    args.out.mkdir(parents=True, exist_ok=True)

    def local_only(route: Route) -> None:
        if args.allow_external or route.request.url.startswith(base):
            route.continue_()
        else:
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="ru-RU")
            context.route("**/*", local_only)
            paths = discover(context.new_page(), base, args.query)
            context.close()
            missing = {"activity", "organization", "direction", "category", "okrug"} - set(paths)
            if missing:
                print(f"not found on the site (is the catalog empty?): {', '.join(sorted(missing))}")
            for viewport_name, viewport in VIEWPORTS.items():
                context = browser.new_context(viewport=viewport, locale="ru-RU")
                context.route("**/*", local_only)
                page = context.new_page()
                for name, path in paths.items():
                    response = page.goto(urljoin(base, path), wait_until="load")
                    status = response.status if response else "?"
                    target = args.out / f"{name}-{viewport_name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(
                        f"{status} {path} -> {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}"
                    )
                context.close()
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
