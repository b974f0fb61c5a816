import pytest
from django.db import IntegrityError, transaction

from kruzhok.catalog.models import Activity, Category, Direction, Organization, Venue
from kruzhok.catalog.tests import factories

pytestmark = pytest.mark.django_db


def test_six_directions_exist_with_official_slugs():
    assert list(Direction.objects.values_list("slug", flat=True)) == [
        "technical", "science", "sport", "arts", "tourism", "social",
    ]  # fmt: skip


def test_taxonomy_has_at_least_sixty_categories_with_both_names():
    assert Category.objects.count() >= 60
    assert not Category.objects.filter(name_ru="").exists()
    assert not Category.objects.filter(name_en="").exists()
    assert Category.objects.get(slug="karate").direction.slug == "sport"


@pytest.mark.parametrize(
    ("age_min", "age_max"),
    [(-1, 5), (5, 19), (12, 7), (19, 19)],
)
def test_activity_age_range_is_enforced_by_the_database(age_min, age_max):
    act = factories.activity()
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=act.pk).update(age_min=age_min, age_max=age_max)


def test_activity_price_cannot_be_negative():
    act = factories.activity()
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=act.pk).update(price_rub=-1)


def test_source_and_external_id_are_unique_together():
    factories.activity(source="edu", external_id="A-1")
    factories.activity(source="culture", external_id="A-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.activity(source="edu", external_id="A-1")


def test_activities_without_external_id_do_not_collide():
    factories.activity(source="edu")
    factories.activity(source="edu")
    assert Activity.objects.filter(source="edu").count() == 2


def test_venue_rejects_impossible_coordinates():
    org = factories.organization()
    with pytest.raises(IntegrityError), transaction.atomic():
        Venue.objects.create(organization=org, address="ул. Мира, 1", lat=999, lon=73.3)


def test_inn_must_be_10_or_12_digits():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(name="ООО «Ромашка»", inn="12345")


def test_archived_activities_are_not_live():
    live = factories.activity()
    archived = factories.activity(status="archived")
    assert list(Activity.objects.live()) == [live]
    assert archived.pk in Activity.objects.values_list("pk", flat=True)


def test_activity_gets_a_readable_slug():
    act = factories.activity(title="Шахматный клуб «Ладья»")
    assert act.slug == "shahmatnyy-klub-ladya"
    assert act.get_absolute_url() == f"/activities/{act.pk}-shahmatnyy-klub-ladya/"
