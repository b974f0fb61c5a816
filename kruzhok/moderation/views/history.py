# SCAFFOLD (session 2026-11-29): replaced by the helper that owns this module.
from django.http import Http404, HttpRequest, HttpResponse


def history(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def revert(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
