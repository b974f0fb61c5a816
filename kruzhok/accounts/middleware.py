from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from kruzhok.accounts import permissions


class StaffMFAMiddleware:
    """The admin is a staff page like any `editor_required` view: no way in without TOTP.

    Django's admin is not our view to decorate, so its whole URL space is guarded here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.admin_prefix:
            self.admin_prefix = reverse("admin:index")
        if (
            request.path.startswith(self.admin_prefix)
            and request.user.is_authenticated
            and permissions.mfa_missing(request.user)
        ):
            return permissions.mfa_enrolment_redirect(request)
        return self.get_response(request)
