"""Defences every write path shares: the client's IP (behind a trusted proxy only), rate limits
per user and per IP, and a honeypot field for bots.

Rate limits count in Django's cache (a fixed window per scope and key): per process with the
default local-memory cache, shared once production configures Redis. A limit that cannot be
counted (the cache is down) lets the request through: spam is cheaper than a broken site.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address, with an IPv4-mapped IPv6 one (::ffff:10.0.0.1, what a dual-stack socket
    reports for an IPv4 peer) read as the IPv4 address it is; None when it is not an address."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _trusted(address: str) -> bool:
    ip = _parse(address)
    if ip is None:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str:
    """The visitor's address. X-Forwarded-For is believed only when the connection comes from a
    trusted proxy, and then only up to the first hop that is not one of ours (anyone can put
    anything at the left end of that header)."""
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 — a value, not a bind  # nosec B104
    if not _trusted(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop):
            parsed = _parse(hop)
            return str(parsed) if parsed is not None else remote
    return remote


def hit(scope: str, who: str, *, limit: int, period: int) -> bool:
    """Count one attempt of `who` in `scope`; False once more than `limit` in `period` seconds."""
    window = int(time.time()) // period
    key = f"rl:{scope}:{hashlib.sha256(who.encode()).hexdigest()[:24]}:{window}"
    try:
        if cache.add(key, 1, timeout=period + 1):
            return True
        return int(cache.incr(key)) <= limit
    except Exception:  # noqa: BLE001 — an unreachable cache must not break writes
        return True


def seconds_left(period: int) -> int:
    """Seconds until the current fixed window of `hit` ends: when a refused client may retry."""
    return period - int(time.time()) % period


def allow(request: HttpRequest, scope: str, *, limit: int, period: int = 3600, per_user: bool = True) -> bool:
    """One attempt by this visitor: counted per client IP, and per account when signed in
    (a shared school IP gets `IP_LIMIT_FACTOR` times the personal limit). `per_user=False` when
    the service already counts each person's writes in the database."""
    ip_ok = hit(scope + ":ip", client_ip(request), limit=limit * settings.IP_LIMIT_FACTOR, period=period)
    user = getattr(request, "user", None)
    user_ok = True
    if per_user and user is not None and user.is_authenticated:
        user_ok = hit(scope + ":user", str(user.pk), limit=limit, period=period)
    return ip_ok and user_ok


def too_many(request: HttpRequest) -> HttpResponse:
    """The 429 page, with Retry-After."""
    response = TemplateResponse(request, "429.html", status=429)
    response["Retry-After"] = "600"
    return response


class HoneypotMixin(forms.Form):
    """A field people never see (hidden by CSS and from screen readers) and bots fill in.
    A filled honeypot is a form error, so nothing is saved and nothing tells the bot why."""

    honeypot_field = "website_url"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields[self.honeypot_field] = forms.CharField(
            required=False,
            label=_("Не заполняйте это поле"),
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1", "class": "hp-field"}),
        )

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if cleaned.get(self.honeypot_field):
            raise forms.ValidationError(_("Форма не отправлена. Обновите страницу и попробуйте ещё раз."))
        return cleaned
