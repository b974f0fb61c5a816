"""One way to turn `?page=` into a page for every public list (catalog lists, an organization's
news and photos): a typo or an old link shows the nearest real page with a message saying why,
never an error page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext as _


def paginate(
    queryset: QuerySet[Any], raw_page: str | None, *, per_page: int | None = None
) -> tuple[Page, str]:
    """The requested page, or the nearest real one with a message saying why (else "").

    Out-of-range and malformed numbers are a parent's typo or an old link, not an error page.
    """
    paginator = Paginator(queryset, per_page or settings.CATALOG_PAGE_SIZE)
    try:
        number = int(raw_page) if raw_page not in (None, "") else 1
    except ValueError:
        return paginator.page(1), _("Номер страницы — целое число от 1. Показана первая страница.")
    if number < 1:
        return paginator.page(1), _("Номер страницы — целое число от 1. Показана первая страница.")
    if number > paginator.num_pages:
        message = _("Страницы %(page)s нет: всего страниц %(total)s. Показана последняя.") % {
            "page": number,
            "total": paginator.num_pages,
        }
        return paginator.page(paginator.num_pages), message
    return paginator.page(number), ""
