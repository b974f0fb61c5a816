from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware:
    """Russian unless the visitor chose another language.

    A signed-in user's saved choice (their profile) comes first, then the language cookie the
    header's switch sets. Django's LocaleMiddleware would also follow the browser's
    Accept-Language; a city site for Omsk speaks Russian first, so only an explicit choice
    changes the language. The cookie follows a signed-in user's choice, so the site keeps
    their language after they sign out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        user = getattr(request, "user", None)
        saved = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        language = next((code for code in (saved, chosen) if code in self.supported), settings.LANGUAGE_CODE)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if saved:  # read again: the view may just have changed it (the profile form)
            saved = getattr(user, "language", "")
        if saved in self.supported and saved != chosen:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                saved,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        patch_vary_headers(response, ["Cookie"])
        return response
