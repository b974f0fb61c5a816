"""TEMPORARY, for tests only: the project's URLs plus stand-ins for the `subscriptions` pages that
the subscription pages' branch adds (`optout`, `unsubscribe`, `manage`, `confirm`, `list`, `new`),
so the mails that link to them can be rendered before that branch is merged.

Once the project's own URLconf has the `subscriptions` namespace this adds nothing; then the tests
marked with `MAIL_URLS` should drop the mark and this file should go.
"""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, URLPattern, URLResolver, include, path, reverse

from kruzhok.urls import urlpatterns as project_urlpatterns

MAIL_URLS = pytest.mark.urls("kruzhok.notifications.tests.urls_for_mail_tests")


def _stand_in(request: HttpRequest, token: str = "") -> HttpResponse:
    return HttpResponse("stand-in for a subscriptions page", content_type="text/plain")


def _project_has_subscriptions() -> bool:
    try:
        reverse("subscriptions:optout", args=["x"], urlconf="kruzhok.urls")
    except NoReverseMatch:
        return False
    return True


stand_ins: list[URLPattern | URLResolver] = [
    path("", _stand_in, name="list"),
    path("new/", _stand_in, name="new"),
    path("confirm/<str:token>/", _stand_in, name="confirm"),
    path("manage/<str:token>/", _stand_in, name="manage"),
    path("unsubscribe/<str:token>/", _stand_in, name="unsubscribe"),
    path("optout/<str:token>/", _stand_in, name="optout"),
]

urlpatterns: list[URLPattern | URLResolver] = list(project_urlpatterns)
if not _project_has_subscriptions():
    urlpatterns.insert(0, path("subscriptions/", include((stand_ins, "subscriptions"))))
