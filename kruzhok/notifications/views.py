"""Every page where people subscribe, confirm, manage and leave.

- `subscribe_new` takes the widget on search, events, activity, organization and event pages: a
  POST that answers in place under htmx and redirects back with a message without JavaScript.
- The mails' links carry the subscription's secret token: `confirm` (GET only shows, since mail
  scanners open links; the button POSTs), `manage` (every subscription of that address) and
  `unsubscribe`, which takes the RFC 8058 one-click POST: mail providers send it without cookies,
  so it is exempt from CSRF and the token is the secret. `optout` does the same for a category of
  mails that are not subscriptions (moderation outcomes, review requests…), with a signed token.
- `subscription_list` is the manage page of a signed-in person.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from kruzhok.core import abuse
from kruzhok.core.emails import MAIL_CATEGORY_NAMES
from kruzhok.core.env import env_int
from kruzhok.notifications import labels, subscriptions
from kruzhok.notifications.forms import RowForm, SubscribeForm, canonical_query
from kruzhok.notifications.models import Subscription
from kruzhok.search.params import SearchParams, parse_params
from kruzhok.search.selectors import describe

Kind = Subscription.Kind
Frequency = Subscription.Frequency
Status = Subscription.Status

# Subscribing sends a confirmation mail to whatever address is typed: a person follows a few
# things an hour, a script flooding strangers' mailboxes many more.
SUBSCRIBE_PER_HOUR = env_int("SUBSCRIPTIONS_PER_HOUR", 20)

TITLES: dict[str, Promise] = {
    Kind.SEARCH: gettext_lazy("Сообщать о новых"),
    Kind.ACTIVITY: gettext_lazy("Следить за изменениями"),
    Kind.ORGANIZATION: gettext_lazy("Следить за организацией"),
    Kind.EVENT: gettext_lazy("Напомнить накануне"),
}
HINTS: dict[str, Promise] = {
    Kind.SEARCH: gettext_lazy("Пришлём письмо, когда по этому поиску появятся новые занятия и события."),
    Kind.ACTIVITY: gettext_lazy(
        "Пришлём письмо, если изменится расписание, цена или набор, и о новых событиях занятия."
    ),
    Kind.ORGANIZATION: gettext_lazy(
        "Пришлём письмо о новых занятиях и событиях организации и их изменениях."
    ),
    Kind.EVENT: gettext_lazy("Пришлём письмо за день до события."),
}
BUTTONS: dict[str, Promise] = {
    Kind.SEARCH: gettext_lazy("Подписаться"),
    Kind.ACTIVITY: gettext_lazy("Следить"),
    Kind.ORGANIZATION: gettext_lazy("Следить"),
    Kind.EVENT: gettext_lazy("Напомнить"),
}
# What `secrets.token_urlsafe(24)` makes; anything else (a NUL byte PostgreSQL refuses, say) is
# not looked up at all.
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _by_token(token: str) -> Subscription | None:
    return subscriptions.by_token(token) if TOKEN.fullmatch(token) else None


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _language() -> str:
    return (get_language() or "ru").split("-")[0]


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """`next` when it is a path on this site; anything else (another host, a scheme) is ignored."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and len(target) <= 2000
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback


def subject_url(subscription: Subscription) -> str:
    """The page the subscription is about."""
    if subscription.kind == Kind.SEARCH:
        return labels.search_url(subscription)
    thing = subscription.activity or subscription.organization or subscription.event
    return thing.get_absolute_url() if thing is not None else reverse("search:search")


# --- the widget ------------------------------------------------------------------------------


def _search_description(params: SearchParams) -> str:
    parts = describe(params)
    return ", ".join(parts) if parts else _("все новые занятия и события")


def widget_context(
    request: HttpRequest,
    *,
    kind: str,
    target: Any = None,
    params: SearchParams | None = None,
    form: SubscribeForm | None = None,
    next_url: str = "",
    oob: bool = False,
) -> dict[str, Any]:
    """What `subscriptions/_subscribe.html` needs: the same for the page (a fresh form) and for
    the htmx answer to a refused one (the bound form with its errors and what was typed)."""
    user = request.user
    hidden: list[tuple[str, str]]
    description = ""
    target_key = ""
    if kind == Kind.SEARCH:
        params = params or SearchParams()
        hidden = params.query_pairs(sort="best", page=1)
        description = _search_description(params)
        target_key = subscriptions.target_of(kind, query=canonical_query(params))
    elif target is not None:
        hidden = [(kind, str(target.pk))]
        target_key = subscriptions.target_of(kind, **{f"{kind}_id": target.pk})
    else:  # a refused form about something that does not exist: carry back what was posted
        hidden = [(kind, str(form.data.get(kind, ""))[:12])] if form is not None else []
    following = None
    if form is None and user.is_authenticated and target_key:
        following = subscriptions.subscriptions_of(user=user).filter(target=target_key).first()
    return {
        "kind": kind,
        "title": TITLES.get(kind, TITLES[Kind.SEARCH]),
        "hint": HINTS.get(kind, HINTS[Kind.SEARCH]),
        "button": BUTTONS.get(kind, BUTTONS[Kind.SEARCH]),
        "description": description,
        "hidden": hidden,
        "form": form or SubscribeForm(initial={"frequency": Frequency.DAILY}, user=user),
        "frequencies": Frequency.choices,
        "account_email": user.email if user.is_authenticated else "",
        "following": following,
        "next": next_url or request.get_full_path(),
        "oob": oob,
        "request": request,
        "user": user,
    }


def _answer(subscribed: subscriptions.Subscribed) -> tuple[str, str]:
    """(heading, sentence) for what `subscribe` did."""
    subscription = subscribed.subscription
    what = labels.subscription_label(subscription)
    if subscribed.outcome == "confirm":
        return _("Осталось подтвердить"), _(
            "Мы отправили письмо на %(email)s: подтвердите подписку по ссылке в нём (%(what)s)."
        ) % {"email": subscription.email, "what": what}
    if subscribed.outcome == "already":
        return _("Вы уже подписаны"), _("Письма об этом уже приходят на %(email)s (%(what)s).") % {
            "email": subscription.email,
            "what": what,
        }
    return _("Подписка оформлена"), _("Письма будут приходить на %(email)s (%(what)s).") % {
        "email": subscription.email,
        "what": what,
    }


def _refusal(error: subscriptions.SubscriptionError) -> str:
    if error.code == "too_many":
        return _(
            "На этот адрес оформлено слишком много подписок. Отпишитесь от ненужных на странице «Мои подписки»."
        )
    return _("Выберите, как часто присылать письма.")


@require_POST
def subscribe_new(request: HttpRequest) -> HttpResponse:
    htmx = _is_htmx(request)
    form = SubscribeForm(request.POST, user=request.user)
    if form.is_valid() and not abuse.allow(request, "subscribe", limit=SUBSCRIBE_PER_HOUR):
        if not htmx:
            return abuse.too_many(request)
        form.add_error(None, _("С вашего адреса пришло слишком много подписок за час. Попробуйте позже."))
    if form.is_valid():
        try:
            subscribed = subscriptions.subscribe(
                **form.subscribe_kwargs(), user=request.user, language=_language()
            )
        except subscriptions.SubscriptionError as error:
            form.add_error(None, _refusal(error))
        else:
            heading, sentence = _answer(subscribed)
            if htmx:
                context = {
                    "kind": form.cleaned_data["kind"],
                    "heading": heading,
                    "sentence": sentence,
                    "subscribed": subscribed,
                }
                return render(request, "subscriptions/_answer.html", context)
            messages.success(request, f"{heading}. {sentence}")
            return HttpResponseRedirect(_safe_next(request, subject_url(subscribed.subscription)))
    kind = request.POST.get("kind", "")
    kind = kind if kind in Kind.values else Kind.SEARCH
    next_url = _safe_next(request, reverse("search:search"))
    context = widget_context(
        request,
        kind=kind,
        target=form.target,
        params=parse_params(request.POST)[0] if kind == Kind.SEARCH else None,
        form=form,
        next_url=next_url,
    )
    if htmx:
        # htmx swaps only 2xx answers: the refusal comes back as a 200 fragment.
        return render(request, "subscriptions/_subscribe.html", context)
    return render(request, "subscriptions/new.html", {**context, "back_url": next_url}, status=400)


# --- the mails' links ---------------------------------------------------------------------------


def _bad_link(request: HttpRequest) -> HttpResponse:
    return render(request, "subscriptions/bad_link.html", status=404)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what will be confirmed; the button POSTs. A cancelled subscription comes back by
    the same POST («Подписаться снова»)."""
    subscription = _by_token(token)
    if subscription is None:
        return _bad_link(request)
    confirmed = False
    if request.method == "POST":
        if subscription.status == Status.PENDING:
            subscription = subscriptions.subscription_confirm(token=token) or subscription
        elif subscription.status == Status.CANCELLED:
            subscription = subscriptions.subscription_resume(token=token) or subscription
        confirmed = True
    context = {
        "subscription": subscription,
        "label": labels.subscription_label(subscription),
        "subject_url": subject_url(subscription),
        "confirmed": confirmed,
    }
    return render(request, "subscriptions/confirm.html", context)


@csrf_exempt  # RFC 8058: the one-click POST comes from the mail provider, without cookies
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (a link opened by a scanner must not unsubscribe); POST unsubscribes, again and
    again with the same answer."""
    subscription = _by_token(token)
    if subscription is None:
        return _bad_link(request)
    if request.method == "POST":
        subscription = subscriptions.subscription_cancel(token=token) or subscription
    context = {
        "subscription": subscription,
        "label": labels.subscription_label(subscription),
        "subject_url": subject_url(subscription),
    }
    return render(request, "subscriptions/unsubscribe.html", context)


@csrf_exempt  # the same one-click POST as `unsubscribe`; the signed token is the secret
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def optout(request: HttpRequest, token: str) -> HttpResponse:
    found = subscriptions.optout_read(token) if len(token) <= 1000 else None
    if found is None:
        return _bad_link(request)
    email, category = found
    if request.method == "POST":
        if request.POST.get("action") == "optin":
            subscriptions.opt_in(email=email, category=category)
        else:
            subscriptions.opt_out(email=email, category=category)
    context = {
        "email": email,
        "category": MAIL_CATEGORY_NAMES.get(category, category),
        "opted_out": subscriptions.opted_out(email, category),
        "changed": request.method == "POST",
    }
    return render(request, "subscriptions/optout.html", context)


# --- managing ---------------------------------------------------------------------------------


def _rows(scope: QuerySet[Subscription]) -> list[dict[str, Any]]:
    return [
        {"subscription": s, "label": labels.subscription_label(s), "url": subject_url(s)}
        for s in scope.order_by("-created_at", "-pk")
    ]


def _act(request: HttpRequest, scope: QuerySet[Subscription], *, may_confirm: bool) -> None:
    """One POST of the manage page, on a subscription of `scope` only; the answer is a message."""
    form = RowForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(next(iter(form.errors.values()))[0]))
        return
    action = form.cleaned_data["action"]
    if action == "cancel_all":
        tokens = list(scope.values_list("token", flat=True))
        for token in tokens:
            subscriptions.subscription_cancel(token=token)
        count = len(tokens)
        messages.success(request, _("Вы отписались от всех подписок (%(n)s).") % {"n": count})
        return
    subscription = scope.filter(pk=form.cleaned_data["subscription"]).first()
    if subscription is None:
        messages.error(request, _("Такой подписки здесь нет: возможно, вы уже отписались."))
        return
    label = labels.subscription_label(subscription)
    if action == "cancel":
        subscriptions.subscription_cancel(token=subscription.token)
        messages.success(request, _("Вы отписались: %(what)s.") % {"what": label})
    elif action == "confirm" and may_confirm and subscription.status == Status.PENDING:
        subscriptions.subscription_confirm(token=subscription.token)
        messages.success(request, _("Подписка подтверждена: %(what)s.") % {"what": label})
    elif action == "frequency" and subscription.kind != Kind.EVENT:
        frequency = form.cleaned_data["frequency"]
        subscriptions.subscription_set_frequency(subscription=subscription, frequency=frequency)
        messages.success(
            request,
            _("Теперь %(how)s: %(what)s.") % {"how": Frequency(frequency).label, "what": label},
        )
    else:
        messages.error(request, _("Это действие здесь недоступно."))


def _manage_page(
    request: HttpRequest, scope: QuerySet[Subscription], context: dict[str, Any], *, may_confirm: bool
) -> HttpResponse:
    if request.method == "POST":
        _act(request, scope, may_confirm=may_confirm)
        return HttpResponseRedirect(request.path)
    rows = _rows(scope)
    emails = {row["subscription"].email for row in rows}
    context = {
        **context,
        "rows": rows,
        "frequencies": Frequency.choices,
        "show_email": len(emails) > 1,
        "may_confirm": may_confirm,
    }
    return render(request, "subscriptions/manage.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The token proves the mailbox: every subscription of that address, whoever made it."""
    subscription = _by_token(token)
    if subscription is None:
        return _bad_link(request)
    scope = subscriptions.subscriptions_of(email=subscription.email)
    context = {
        "email": subscription.email,
        "by_token": True,  # a flag, not a secret  # nosec B105
        "this": subscription,
        "this_label": labels.subscription_label(subscription),
    }
    return _manage_page(request, scope, context, may_confirm=True)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscription_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        return render(request, "subscriptions/list_anonymous.html")
    scope = subscriptions.subscriptions_of(user=request.user)
    # A pending subscription here may be one the person typed for another address: confirming
    # it is for that mailbox, by its mail's link.
    context = {"email": request.user.email, "by_token": False}  # a flag, not a secret  # nosec B105
    return _manage_page(request, scope, context, may_confirm=False)
