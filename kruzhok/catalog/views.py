from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/home.html", {})


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise NotImplementedError  # pages are being written


search = activity_detail = organization_detail = direction_detail = category_detail = district_detail = _todo
