"""An organization's news and photos pages: paginated like the catalog lists (a message for a
page that does not exist, a canonical address per page), and the gallery on the organization's
page links to every photo once it is cut."""

from __future__ import annotations

import pytest
from django.conf import settings

from kruzhok.promotion import selectors

from .test_posts import make_photo, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_gallery(monkeypatch):
    monkeypatch.setattr(selectors, "GALLERY_LIMIT", 2)


def test_cut_gallery_links_to_all_photos_with_their_count(client, org_x, provider_x, small_gallery):
    for caption in ("Зал", "Сцена", "Двор"):
        make_photo(org_x, provider_x, caption=caption)
    page = client.get(org_x.get_absolute_url()).content.decode()
    url = org_x.get_absolute_url() + "photos/"
    assert f'href="{url}"' in page and "Все фото (3)" in page
    assert page.count("<figure>") == 2
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    assert first.count("<figure>") == 2 and second.count("<figure>") == 1
    assert 'alt="Двор"' in second
    assert f'<link rel="canonical" href="{settings.SITE_URL}{url}?page=2">' in second


def test_whole_gallery_has_no_all_photos_link(client, org_x, provider_x, small_gallery):
    make_photo(org_x, provider_x)
    make_photo(org_x, provider_x)
    assert 'photos/"' not in client.get(org_x.get_absolute_url()).content.decode()


def test_photos_page_hides_hidden_photos_and_redirects_a_wrong_slug(client, org_x, provider_x, editor):
    from kruzhok.promotion import services

    shown, hidden = (
        make_photo(org_x, provider_x, caption="Зал"),
        make_photo(org_x, provider_x, caption="Спорное"),
    )
    services.item_hide(item=hidden, editor=editor, reason="Чужое фото")
    html = client.get(org_x.get_absolute_url() + "photos/").content.decode()
    assert 'alt="Зал"' in html and "Спорное" not in html and shown.image.url in html
    assert client.get(f"/organizations/{org_x.pk}-wrong/photos/?page=2").status_code == 301
    assert client.get("/organizations/999999-x/photos/").status_code == 404


@pytest.mark.parametrize(
    ("raw", "shown", "message"),
    [
        ("99", 2, "Страницы 99 нет: всего страниц 2. Показана последняя."),
        ("abc", 1, "Номер страницы — целое число от 1."),
        ("0", 1, "Номер страницы — целое число от 1."),
    ],
)
def test_news_page_past_the_end_says_so_and_shows_the_nearest_page(
    client, org_x, provider_x, raw, shown, message
):
    for n in range(12):
        make_post(org_x, provider_x, title=f"Новость {n:02d}")
    url = org_x.get_absolute_url() + "news/"
    html = client.get(url, {"page": raw}).content.decode()
    assert message in html
    canonical = f"{settings.SITE_URL}{url}" + ("?page=2" if shown == 2 else "")
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert ("Новость 00" in html) == (shown == 2)


def test_news_canonical_drops_query_junk(client, org_x, provider_x):
    make_post(org_x, provider_x)
    url = org_x.get_absolute_url() + "news/"
    html = client.get(url, {"utm_source": "vk", "page": "1"}).content.decode()
    assert f'<link rel="canonical" href="{settings.SITE_URL}{url}">' in html
