"""Pages of the free promotion.

- /organizations/<id>-<slug>/news/ and …/photos/ — every visible news post or photo of an
  organization, page by page (public; the organization's page shows the latest few);
- /manage/organizations/<id>/news/ — the organization's providers write posts and add photos,
  editors hide or show them again with a reason;
- /moderation/featured/ — editors pick activities and events for the home and direction pages.

Objects come through `permissions`: another organization's post or photo is a 404.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kruzhok.accounts import permissions
from kruzhok.catalog import selectors as catalog_selectors
from kruzhok.catalog.models import Organization
from kruzhok.core.pagination import paginate
from kruzhok.core.seo import canonical_url
from kruzhok.promotion import selectors, services
from kruzhok.promotion.forms import CaptionForm, FeaturedForm, HideForm, PhotoForm, PostForm
from kruzhok.promotion.models import Featured, OrganizationPhoto, OrganizationPost

NEWS_PAGE_SIZE = 10


def _can_edit_item(user: permissions.AnyUser | None, item: OrganizationPost | OrganizationPhoto) -> bool:
    return permissions.can_edit_organization(user, item.organization_id)


def _post_for_editing(request: HttpRequest, pk: int) -> OrganizationPost:
    return permissions.get_for_user_or_404(
        request.user, OrganizationPost.objects.select_related("organization"), pk, _can_edit_item
    )


def _photo_for_editing(request: HttpRequest, pk: int) -> OrganizationPhoto:
    return permissions.get_for_user_or_404(
        request.user, OrganizationPhoto.objects.select_related("organization"), pk, _can_edit_item
    )


def _public_list(
    request: HttpRequest, pk: int, slug: str, *, suffix: str, template: str, per_page: int, items: Any
) -> HttpResponse:
    """An organization's news or photos, page by page, as the catalog lists are paginated."""
    organization = catalog_selectors.organization_for_page(pk)
    if organization is None or not organization.is_live:
        raise Http404(_("Организация не найдена."))
    path = organization.get_absolute_url() + suffix
    if slug != (organization.slug or "org"):
        return HttpResponsePermanentRedirect(path + (f"?{request.GET.urlencode()}" if request.GET else ""))
    page, page_message = paginate(items(organization), request.GET.get("page"), per_page=per_page)
    context = {
        "organization": organization,
        "page": page,
        "messages_list": [page_message] if page_message else [],
        "canonical": canonical_url(request, path=path, page=page.number),
    }
    return render(request, template, context)


@require_safe
def organization_news(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    return _public_list(
        request,
        pk,
        slug,
        suffix="news/",
        template="promotion/news.html",
        per_page=NEWS_PAGE_SIZE,
        items=selectors.posts_public,
    )


@require_safe
def organization_photos(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    return _public_list(
        request,
        pk,
        slug,
        suffix="photos/",
        template="promotion/photos.html",
        per_page=selectors.GALLERY_LIMIT,
        items=selectors.photos_public,
    )


def _manage_page(
    request: HttpRequest,
    org: Organization,
    *,
    post_form: PostForm | None = None,
    photo_form: PhotoForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "organization": org,
        "posts": selectors.posts_for_manage(org).select_related("hidden_by"),
        "photos": selectors.photos_for_manage(org).select_related("hidden_by"),
        "post_form": post_form or PostForm(),
        "photo_form": photo_form or PhotoForm(),
        "is_editor": permissions.is_editor(request.user),
    }
    return render(request, "promotion/manage.html", context, status=status)


@permissions.login_mfa_required
@require_safe
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage_page(request, permissions.get_organization_for_editing(request.user, pk))


@permissions.login_mfa_required
@require_POST
def post_new(request: HttpRequest, pk: int) -> HttpResponse:
    org = permissions.get_organization_for_editing(request.user, pk)
    form = PostForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, org, post_form=form, status=400)
    services.post_create(
        organization=org,
        author=permissions.signed_in_user(request),
        title=form.cleaned_data["title"],
        body=form.cleaned_data["body"],
    )
    messages.success(request, _("Новость опубликована на странице организации."))
    return redirect("promotion:manage", pk=org.pk)


@permissions.login_mfa_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for_editing(request, pk)
    if request.method == "POST":
        form = PostForm(request.POST)
        if form.is_valid():
            services.post_update(
                post=post,
                actor=permissions.signed_in_user(request),
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
            messages.success(request, _("Новость сохранена."))
            return redirect("promotion:manage", pk=post.organization_id)
    else:
        form = PostForm(initial={"title": post.title, "body": post.body})
    status = 400 if form.is_bound else 200
    context = {"form": form, "post": post, "organization": post.organization}
    return render(request, "promotion/post_form.html", context, status=status)


@permissions.login_mfa_required
@require_POST
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for_editing(request, pk)
    services.post_delete(post=post, actor=permissions.signed_in_user(request))
    messages.success(request, _("Новость удалена."))
    return redirect("promotion:manage", pk=post.organization_id)


@permissions.login_mfa_required
@require_POST
def photo_new(request: HttpRequest, pk: int) -> HttpResponse:
    org = permissions.get_organization_for_editing(request.user, pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _manage_page(request, org, photo_form=form, status=400)
    services.photo_add(
        organization=org,
        author=permissions.signed_in_user(request),
        image=form.cleaned_data["image"],
        caption=form.cleaned_data["caption"],
    )
    messages.success(request, _("Фото добавлено в галерею организации."))
    return redirect("promotion:manage", pk=org.pk)


@permissions.login_mfa_required
@require_POST
def photo_caption(request: HttpRequest, pk: int) -> HttpResponse:
    photo = _photo_for_editing(request, pk)
    form = CaptionForm(request.POST)
    if form.is_valid():
        services.photo_update(
            photo=photo, actor=permissions.signed_in_user(request), caption=form.cleaned_data["caption"]
        )
        messages.success(request, _("Подпись сохранена."))
    else:
        messages.error(
            request,
            _("Подпись не сохранена: %(error)s")
            % {"error": " ".join(str(e) for e in form.errors["caption"])},
        )
    return redirect("promotion:manage", pk=photo.organization_id)


@permissions.login_mfa_required
@require_POST
def photo_move(request: HttpRequest, pk: int) -> HttpResponse:
    photo = _photo_for_editing(request, pk)
    step = -1 if request.POST.get("direction") == "up" else 1
    services.photo_move(photo=photo, actor=permissions.signed_in_user(request), step=step)
    return redirect("promotion:manage", pk=photo.organization_id)


@permissions.login_mfa_required
@require_POST
def photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    photo = _photo_for_editing(request, pk)
    services.photo_delete(photo=photo, actor=permissions.signed_in_user(request))
    messages.success(request, _("Фото удалено."))
    return redirect("promotion:manage", pk=photo.organization_id)


def _hide_toggle(
    request: HttpRequest, item: OrganizationPost | OrganizationPhoto, *, hide: bool
) -> HttpResponse:
    editor = permissions.signed_in_user(request)
    if hide:
        form = HideForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for e in form.errors["reason"]))
            return redirect("promotion:manage", pk=item.organization_id)
        services.item_hide(item=item, editor=editor, reason=form.cleaned_data["reason"])
        messages.success(request, _("Скрыто с публичной страницы; организация видит причину."))
    else:
        services.item_unhide(item=item, editor=editor)
        messages.success(request, _("Снова видно на странице организации."))
    return redirect("promotion:manage", pk=item.organization_id)


@permissions.editor_required
@require_POST
def post_visibility(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    post = get_object_or_404(OrganizationPost, pk=pk)
    return _hide_toggle(request, post, hide=action == "hide")


@permissions.editor_required
@require_POST
def photo_visibility(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    photo = get_object_or_404(OrganizationPhoto, pk=pk)
    return _hide_toggle(request, photo, hide=action == "hide")


@permissions.editor_required
@require_http_methods(["GET", "HEAD", "POST"])
def featured(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    if request.method == "POST":
        form = FeaturedForm(request.POST)
        if form.is_valid():
            direction, activity, event = form.pick()
            services.featured_add(
                editor=permissions.signed_in_user(request),
                direction=direction,
                activity=activity,
                event=event,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                position=form.cleaned_data["position"] or 0,
            )
            messages.success(request, _("Выбор редакции добавлен."))
            return redirect("promotion:featured")
    else:
        form = FeaturedForm(
            initial={"starts_on": today, "ends_on": today, "placement": "home", "position": 0}
        )
    context = {
        "form": form,
        "placements": selectors.featured_for_editor(today=today),
        "today": today,
        "site_url": settings.SITE_URL,
    }
    return render(request, "promotion/featured.html", context, status=400 if form.is_bound else 200)


@permissions.editor_required
@require_POST
def featured_remove(request: HttpRequest, pk: int) -> HttpResponse:
    pick = get_object_or_404(Featured, pk=pk)
    services.featured_remove(featured=pick, editor=permissions.signed_in_user(request))
    messages.success(request, _("Выбор редакции снят."))
    return redirect("promotion:featured")
