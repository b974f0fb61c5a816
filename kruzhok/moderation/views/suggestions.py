# SCAFFOLD (session 2026-11-29): replaced by the helper that owns this module.
from django.http import Http404, HttpRequest, HttpResponse


def suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
