"""A seeded, database-free generator of the demo catalog.

`DemoCatalog(activities=N, seed=S, houses=…)` lays out organizations and venues eagerly and
yields activities lazily, all from one `random.Random(seed)` consumed in a fixed order, so the
same N and S give the same rows whatever the batch size of the writer. Nothing here reads the
clock: freshness is an offset in days (`verified_days_ago`) that the writer turns into a date.
"""

from __future__ import annotations

import functools
import itertools
import math
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time
from typing import Protocol

from kruzhok.catalog.demo import organizations as orgs
from kruzhok.catalog.demo import vocabulary as vocab
from kruzhok.core.text import russian_slug

EMAIL_DOMAIN = "omsk.example"


class HouseLike(Protocol):
    """What the gazetteer's House offers (kruzhok.places.gazetteer.House)."""

    @property
    def lat(self) -> float: ...
    @property
    def lon(self) -> float: ...
    @property
    def okrug(self) -> str | None: ...
    @property
    def microdistrict(self) -> str | None: ...
    @property
    def address(self) -> str: ...


@dataclass(slots=True)
class VenuePlan:
    name: str
    address: str
    lat: float
    lon: float
    okrug: str
    microdistrict: str


@dataclass(slots=True)
class OrgPlan:
    number: int
    type: orgs.OrgType
    name: str
    inn: str
    phone: str
    email: str
    website: str
    description: str
    verified: bool
    verified_days_ago: float
    venues: list[VenuePlan]
    categories: tuple[str, ...]
    cum_weights: tuple[int, ...]
    activities: int = 0
    person: str = ""  # the teacher of an individual entrepreneur
    titles: set[str] = field(default_factory=set)

    @property
    def external_id(self) -> str:
        return f"demo-org-{self.number}"


@dataclass(slots=True)
class SlotPlan:
    weekday: int
    starts_at: time
    ends_at: time


@dataclass(slots=True)
class GroupPlan:
    name: str
    age_min: int
    age_max: int
    teacher: str
    capacity: int
    slots: list[SlotPlan]


@dataclass(slots=True)
class ActivityPlan:
    number: int
    org: OrgPlan
    venue: int  # index into org.venues
    title: str
    description: str
    direction: str
    categories: list[str]
    age_min: int
    age_max: int
    price_rub: int
    price_note: str
    format: str
    ovz: bool
    enrollment: str
    status: str
    verified_days_ago: float
    groups: list[GroupPlan]

    @property
    def external_id(self) -> str:
        return f"demo-{self.number}"


def inn_check_digit(digits: str, weights: Sequence[int]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


_W10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_W11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_W12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def make_inn(body: str) -> str:
    """Append the check digits: a 9-digit body gives a legal entity's INN, 10 digits an individual's."""
    if len(body) == 9:
        return body + inn_check_digit(body, _W10)
    if len(body) == 10:
        with_11 = body + inn_check_digit(body, _W11)
        return with_11 + inn_check_digit(with_11, _W12)
    raise ValueError(f"INN body must have 9 or 10 digits, got {body!r}")


def inn_is_valid(inn: str) -> bool:
    """The public FNS checksum of a 10- or 12-digit INN."""
    if not inn.isdigit() or len(inn) not in (10, 12):
        return False
    return make_inn(inn[: len(inn) - (1 if len(inn) == 10 else 2)]) == inn


def years_ru(n: int) -> str:
    """«1 год», «3 года», «5 лет»: the noun agrees with the number."""
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} год"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f"{n} года"
    return f"{n} лет"


def ages_ru(lo: int, hi: int) -> str:
    return years_ru(hi).replace(str(hi), f"{lo}–{hi}", 1) if lo != hi else years_ru(hi)


@functools.cache
def _parsed(options: tuple[str, ...]) -> tuple[tuple[str, int, int], ...]:
    """Split the optional «[lo-hi]» prefix that limits a title or sentence to an age band."""
    parsed = []
    for text in options:
        lo, hi = 0, 18
        if text.startswith("["):
            limits, text = text[1:].split("]", 1)
            lo, hi = (int(x) for x in limits.split("-"))
        parsed.append((text, lo, hi))
    return tuple(parsed)


def fitting(options: tuple[str, ...], band: tuple[int, int]) -> list[str]:
    """The options that suit children of `band` («Рисование для дошкольников» is not for 12–17)."""
    parsed = _parsed(options)
    fits = [text for text, lo, hi in parsed if lo <= band[0] and band[1] <= hi]
    return fits or [text for text, lo, hi in parsed if (lo, hi) == (0, 18)] or [text for text, _, _ in parsed]


def organization_count(activities: int) -> int:
    """About 3.5 activities per organization, never more organizations than activities."""
    return max(1, min(activities, round(activities / 3.5)))


class DemoCatalog:
    """The plan of a demo catalog; `organizations` is ready at once, `activities()` streams."""

    def __init__(
        self,
        *,
        activities: int,
        seed: int,
        houses: Sequence[HouseLike],
        category_directions: Mapping[str, str],
        taken_inns: frozenset[str] = frozenset(),
    ) -> None:
        if activities < 1:
            raise ValueError("activities must be positive")
        self.activity_count = activities
        self.rng = random.Random(seed)  # noqa: S311 — reproducible demo data, not security  # nosec B311
        self.category_directions = dict(category_directions)
        self.taken_inns = set(taken_inns)
        self.houses = sorted(
            (h for h in houses if h.okrug and -90 <= h.lat <= 90 and -180 <= h.lon <= 180),
            key=lambda h: (h.address, h.lat, h.lon),
        )
        if not self.houses:
            raise ValueError("the gazetteer has no houses with an okrug")
        okrug_names = sorted({h.okrug for h in self.houses if h.okrug})
        self.houses_by_okrug = {name: [h for h in self.houses if h.okrug == name] for name in okrug_names}
        self.okrug_names = okrug_names
        self.used_names: set[str] = set()
        self.used_domains: set[str] = set()
        self.name_suffixes: dict[str, int] = {}
        self.domain_suffixes: dict[str, int] = {}
        self.organizations = self._organizations()
        self._allocate_activities()

    # — organizations —

    def _organizations(self) -> list[OrgPlan]:
        total = organization_count(self.activity_count)
        share_sum = sum(t.share for t in orgs.TYPES)
        exact = [total * t.share / share_sum for t in orgs.TYPES]
        counts = [math.floor(x) for x in exact]
        by_remainder = sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], i))
        for i in by_remainder[: total - sum(counts)]:
            counts[i] += 1
        kinds = [t for t, c in zip(orgs.TYPES, counts, strict=True) for _ in range(c)]
        self.rng.shuffle(kinds)
        numbers = {t.key: self._number_pool(t, c) for t, c in zip(orgs.TYPES, counts, strict=True)}
        plans = []
        public_seen = 0
        for number, org_type in enumerate(kinds, start=1):
            okrug = None
            if org_type.kind == "public":
                # Municipal networks cover every okrug evenly, not only the dense centre.
                okrug = self.okrug_names[public_seen % len(self.okrug_names)]
                public_seen += 1
            plans.append(self._organization(number, org_type, okrug, numbers[org_type.key]))
        return plans

    def _number_pool(self, org_type: orgs.OrgType, count: int) -> Iterator[int]:
        # Omsk has about 160 schools and a few dozen arts schools: use realistic numbers first.
        cap = {"school": 160, "dshi": 30, "dmsh": 15, "dhsh": 8, "sport": 40, "tech": 10}.get(
            org_type.key, 20
        )
        first = self.rng.sample(range(1, cap + 1), cap)
        return itertools.chain(first, itertools.count(cap + 1))

    def _person(self) -> tuple[str, str, str, str]:
        """(surname, first name, patronymic, gender) of a plausible Omsk teacher."""
        rng = self.rng
        female = rng.random() < 0.68  # most teachers in supplementary education are women
        surname = rng.choice(vocab.SURNAMES)[1 if female else 0]
        first = rng.choice(vocab.FEMALE_NAMES if female else vocab.MALE_NAMES)
        patronymic = rng.choice(vocab.PATRONYMICS)[1 if female else 0]
        return surname, first, patronymic, "f" if female else "m"

    def _organization(
        self, number: int, org_type: orgs.OrgType, okrug: str | None, numbers: Iterator[int]
    ) -> OrgPlan:
        rng = self.rng
        categories = [(s, w) for s, w in org_type.categories if s in self.category_directions]
        person = ""
        if org_type.key == "sport":
            profile = self._sample_weighted(orgs.SPORTS, rng.choice((1, 1, 2, 2, 3)))
            categories = [(s, 3) for s in profile if s in self.category_directions] + [("general-fitness", 1)]
        elif org_type.key == "ngo_sport":
            profile = self._sample_weighted(org_type.categories, rng.choice((1, 2, 2, 3)))
            categories = [(s, 1) for s in profile if s in self.category_directions]
        elif org_type.kind == "individual":
            profile = self._sample_weighted(org_type.categories, rng.choice((1, 1, 2)))
            categories = [(s, 1) for s in profile if s in self.category_directions]
        elif org_type.kind == "private" and len(categories) > 4:
            # A studio is known for a few things, not the whole list of its kind.
            profile = self._sample_weighted(tuple(categories), rng.randint(3, 5))
            categories = [(s, w) for s, w in categories if s in profile]
        if not categories:
            categories = [(slug, 1) for slug in sorted(self.category_directions)]
        name = ""
        for _attempt in range(6):
            name, person = self._org_name(org_type, numbers, categories, okrug)
            if name not in self.used_names:
                break
        else:
            # A big catalog runs out of brands: number the branches like real franchises do.
            base = f"{name} ({okrug or rng.choice(self.okrug_names)} округ"
            while name in self.used_names:
                self.name_suffixes[base] = self.name_suffixes.get(base, 1) + 1
                name = f"{base}, {self.name_suffixes[base]})" if self.name_suffixes[base] > 2 else f"{base})"
        self.used_names.add(name)
        venues = self._venues(org_type, okrug)
        domain = self._domain(org_type, name, person)
        phone = self._phone(mobile=org_type.kind in ("individual",) or rng.random() < 0.15)
        website = "" if org_type.kind == "individual" or rng.random() < 0.1 else f"https://{domain}/"
        email = (
            f"{russian_slug(person.split()[0])}.{rng.randint(10, 99)}@mail.{EMAIL_DOMAIN}"
            if org_type.kind == "individual"
            else f"{rng.choice(('info', 'info', 'mail', 'office', 'priem'))}@{domain}"
        )
        about = list(org_type.about[: rng.randint(1, len(org_type.about))])
        if person:
            about.insert(0, f"Педагог — {person}.")
        cats = tuple(s for s, _ in categories)
        return OrgPlan(
            number=number,
            type=org_type,
            name=name,
            inn=self._inn(individual=org_type.kind == "individual"),
            phone=phone,
            email=email,
            website=website,
            description=" ".join(about),
            verified=org_type.kind == "public" or rng.random() < 0.6,
            verified_days_ago=self._days_ago(),
            venues=venues,
            categories=cats,
            cum_weights=tuple(itertools.accumulate(w for _, w in categories)),
            person=person,
        )

    def _org_name(
        self,
        org_type: orgs.OrgType,
        numbers: Iterator[int],
        categories: list[tuple[str, int]],
        okrug: str | None,
    ) -> tuple[str, str]:
        rng = self.rng
        pattern = rng.choice(org_type.names)
        person = ""
        if "{person}" in pattern:
            surname, first, patronymic, _ = self._person()
            person = f"{surname} {first} {patronymic}"
        if org_type.key == "ddt" and okrug and rng.random() < 0.5:
            brand = okrug.split()[0]  # «Дом детского творчества «Кировский»» stands in its own okrug
        else:
            brand = rng.choice([b for b in org_type.brands if b not in orgs.OKRUGS] or orgs.POETIC)
        sport = categories[0][0]
        name = pattern.format(
            n=next(numbers) if "{n}" in pattern else 0,
            x=brand,
            sport=orgs.SPORT_DATIVE.get(sport, "видам спорта"),
            sport_gen=orgs.SPORT_GENITIVE.get(sport, "спорта"),
            person=person,
        )
        return name, person

    def _sample_weighted(self, weighted: Sequence[tuple[str, int]], k: int) -> list[str]:
        pool = list(weighted)
        chosen: list[str] = []
        while pool and len(chosen) < k:
            slug = self.rng.choices([s for s, _ in pool], weights=[w for _, w in pool])[0]
            chosen.append(slug)
            pool = [(s, w) for s, w in pool if s != slug]
        return chosen

    def _venues(self, org_type: orgs.OrgType, okrug: str | None) -> list[VenuePlan]:
        rng = self.rng
        count = rng.choices((1, 2, 3), weights=org_type.venues)[0]
        venues: list[VenuePlan] = []
        addresses: set[str] = set()
        for i in range(count):
            pool = self.houses_by_okrug[okrug] if okrug and i == 0 else self.houses
            house = rng.choice(pool)
            if house.address in addresses:
                continue
            addresses.add(house.address)
            name = ""
            if i > 0:
                branch = orgs.BRANCH_NAMES.get(org_type.key, "Филиал «{x}»")
                name = branch.format(x=rng.choice(org_type.brands or orgs.POETIC))
            venues.append(
                VenuePlan(
                    name=name,
                    address=house.address,
                    lat=round(house.lat, 6),
                    lon=round(house.lon, 6),
                    okrug=house.okrug or "",
                    microdistrict=house.microdistrict or "",
                )
            )
        return venues

    def _domain(self, org_type: orgs.OrgType, name: str, person: str) -> str:
        base = russian_slug(person or name.split("«")[-1], max_length=30) or org_type.key
        digits = "".join(ch for ch in name if ch.isdigit())
        if digits and org_type.key in ("school", "dshi", "dmsh", "dhsh", "sport", "tech"):
            base = f"{org_type.key}{digits}"
        domain = f"{base}.{EMAIL_DOMAIN}"
        while domain in self.used_domains:
            self.domain_suffixes[base] = self.domain_suffixes.get(base, 1) + 1
            domain = f"{base}-{self.domain_suffixes[base]}.{EMAIL_DOMAIN}"
        self.used_domains.add(domain)
        return domain

    def _phone(self, *, mobile: bool) -> str:
        rng = self.rng
        if mobile:
            return (
                f"+7 ({rng.choice(orgs.MOBILE_CODES)}) {rng.randint(100, 999)}-"
                f"{rng.randint(0, 99):02d}-{rng.randint(0, 99):02d}"
            )
        return f"+7 (3812) {rng.choice('2345679')}{rng.randint(0, 9)}-{rng.randint(0, 99):02d}-{rng.randint(0, 99):02d}"

    def _inn(self, *, individual: bool) -> str:
        rng = self.rng
        while True:
            prefix = rng.choice(orgs.INN_PREFIXES)
            body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(6 if individual else 5))
            inn = make_inn(body)
            if inn not in self.taken_inns:
                self.taken_inns.add(inn)
                return inn

    def _days_ago(self) -> float:
        # Most entries were confirmed recently; the tail reaches the last review cycle (~300 days).
        return round(min(300.0, self.rng.expovariate(1 / 90)), 4)

    def _allocate_activities(self) -> None:
        rng = self.rng
        plans = self.organizations
        for plan in plans:
            plan.activities = 1
        extra = self.activity_count - len(plans)
        if extra > 0:
            weights = [p.type.load * rng.uniform(0.5, 1.5) for p in plans]
            for index in rng.choices(range(len(plans)), weights=weights, k=extra):
                plans[index].activities += 1

    # — activities —

    def activities(self) -> Iterator[ActivityPlan]:
        number = itertools.count(1)
        for org in self.organizations:
            for _ in range(org.activities):
                yield self._activity(next(number), org)

    def _activity(self, number: int, org: OrgPlan) -> ActivityPlan:
        rng = self.rng
        title = ""
        for _attempt in range(8):
            slug = rng.choices(org.categories, cum_weights=org.cum_weights)[0]
            topic = vocab.TOPICS.get(slug)
            band = rng.choice(topic.ages) if topic else (7, 14)
            title = self._title(slug, topic, band, org)
            if title not in org.titles:
                break
        else:
            base, k = title, 2
            while title in org.titles:
                title = f"{base} (поток {k})"
                k += 1
        org.titles.add(title)
        age_min, age_max = band
        categories = [slug]
        if topic and topic.related and rng.random() < 0.22:
            extra = rng.choice(topic.related)
            if extra in self.category_directions and extra != slug:
                categories.append(extra)
        fmt = self._format(org, topic)
        price, note = self._price(org, topic, fmt)
        ovz = rng.random() < org.type.ovz
        enrollment = rng.choices(("open", "waitlist", "closed"), weights=(82, 10, 8))[0]
        status = rng.choices(("published", "pending", "archived"), weights=(965, 20, 15))[0]
        groups = self._groups(org, topic, slug, band, fmt)
        description = self._description(topic, band, groups, ovz, enrollment)
        return ActivityPlan(
            number=number,
            org=org,
            venue=rng.randrange(len(org.venues)),
            title=title,
            description=description,
            direction=self.category_directions[slug],
            categories=categories,
            age_min=age_min,
            age_max=age_max,
            price_rub=price,
            price_note=note,
            format=fmt,
            ovz=ovz,
            enrollment=enrollment,
            status=status,
            verified_days_ago=self._days_ago(),
            groups=groups,
        )

    def _title(self, slug: str, topic: vocab.Topic | None, band: tuple[int, int], org: OrgPlan) -> str:
        rng = self.rng
        if topic is None:
            return slug
        patterns = [p for p in fitting(topic.titles, band) if topic.names or "{name}" not in p]
        pattern = rng.choice(patterns or [slug])
        title = pattern.format(name=rng.choice(topic.names) if topic.names else "", ages=ages_ru(*band))
        if (
            org.type.key == "school"
            and rng.random() < 0.25
            and not any(c in title for c in "«(:")
            and not title.startswith("Кружок")
        ):
            title = f"Кружок «{title}»"
        return title

    def _format(self, org: OrgPlan, topic: vocab.Topic | None) -> str:
        rng = self.rng
        online = bool(topic and topic.online)
        individual = bool(topic and topic.individual)
        if org.type.kind == "individual":
            if online and rng.random() < 0.25:
                return "online"
            # A private teacher of an instrument or a language mostly teaches one pupil at a time.
            return "individual" if individual and rng.random() < 0.85 else "group"
        if individual and rng.random() < (0.3 if org.type.key in ("dshi", "dmsh") else 0.12):
            return "individual"
        if online and rng.random() < (0.12 if org.type.kind == "private" else 0.05):
            return "online"
        return "group"

    def _price(self, org: OrgPlan, topic: vocab.Topic | None, fmt: str) -> tuple[int, str]:
        rng = self.rng
        if rng.random() < org.type.free:
            return 0, rng.choice(vocab.FREE_NOTES)
        lo, hi = topic.price if topic else (2000, 5000)
        if org.type.kind == "public":
            lo, hi = 800, 3000  # municipal paid groups are priced by the city tariff, lower than studios
        elif org.type.kind == "ngo":
            lo, hi = 1000, 4000
        elif fmt == "individual":
            lo, hi = max(lo, 3000) + 1000, min(hi + 2500, 8000)
        price = max(
            1500 if org.type.kind in ("private", "individual") else lo, round(rng.uniform(lo, hi), -2)
        )
        price = min(int(price), 8000)
        notes = vocab.INDIVIDUAL_NOTES if fmt == "individual" else vocab.PAID_NOTES
        return price, rng.choice(notes)

    def _teacher(self, org: OrgPlan) -> str:
        if org.person:
            surname, first, patronymic = org.person.split()
            return f"{first} {patronymic} {surname}"
        surname, first, patronymic, _ = self._person()
        return f"{first} {patronymic} {surname}"

    def _groups(
        self, org: OrgPlan, topic: vocab.Topic | None, slug: str, band: tuple[int, int], fmt: str
    ) -> list[GroupPlan]:
        rng = self.rng
        lo, hi = band
        if fmt == "individual":
            count = 1
        else:
            count = rng.choices((1, 2, 3), weights=(45, 35, 20))[0]
        names: list[str]
        bands: list[tuple[int, int]]
        if count > 1 and hi - lo + 1 >= count * 2:
            step = (hi - lo + 1) / count
            bands = [(lo + round(i * step), lo + round((i + 1) * step) - 1) for i in range(count)]
            labels = ("младшая", "старшая") if count == 2 else ("младшая", "средняя", "старшая")
            names = [f"{label} группа {ages_ru(a, b)}" for label, (a, b) in zip(labels, bands, strict=True)]
            if org.type.key == "sport":
                names = [
                    f"{stage}, {ages_ru(a, b)}"
                    for stage, (a, b) in zip(
                        (
                            "группа начальной подготовки",
                            "учебно-тренировочная группа",
                            "группа совершенствования",
                        ),
                        bands,
                        strict=False,
                    )
                ]
        else:
            bands = [band] * count
            if fmt == "individual":
                names = ["индивидуальные занятия"]
            elif fmt == "online":
                names = ["онлайн-группа" if count == 1 else f"онлайн-группа {i + 1}" for i in range(count)]
            elif count == 1:
                names = [rng.choice(("основная группа", "группа начинающих", "группа 1-го года обучения"))]
            else:
                names = [
                    "группа 1-го года обучения",
                    "группа 2-го года обучения",
                    "группа 3-го года обучения",
                ][:count]
        minutes = rng.choice(topic.minutes) if topic else 60
        teacher = self._teacher(org)
        pattern, start = self._schedule_start(lo, slug)
        groups = []
        for i, ((a, b), name) in enumerate(zip(bands, names, strict=True)):
            if i and rng.random() < 0.3:
                teacher = self._teacher(org)
            begin = start + i * (minutes + 15)
            if begin + minutes > 20 * 60 + 30:
                pattern, begin = self._schedule_start(a, slug)
            slots = [
                SlotPlan(weekday=day, starts_at=_clock(begin), ends_at=_clock(begin + minutes))
                for day in pattern
            ]
            capacity = 1 if fmt == "individual" else rng.choice((8, 10, 12, 15, 15, 20, 25))
            groups.append(
                GroupPlan(name=name, age_min=a, age_max=b, teacher=teacher, capacity=capacity, slots=slots)
            )
        return groups

    def _schedule_start(self, age_min: int, slug: str) -> tuple[tuple[int, ...], int]:
        """Weekdays and a start (minutes after midnight) at hours children of that age are free."""
        rng = self.rng
        days = rng.choices(
            ((0, 2), (1, 3), (2, 4), (0, 3), (1, 4), (0, 2, 4), (1, 3, 5), (5,), (6,), (5, 6), (2,), (4,)),
            weights=(14, 14, 8, 5, 5, 9, 5, 8, 4, 4, 3, 3),
        )[0]
        weekend_only = all(d >= 5 for d in days)
        if weekend_only:
            start = rng.choice((9 * 60, 9 * 60 + 30, 10 * 60, 10 * 60 + 30, 11 * 60, 12 * 60, 13 * 60))
        elif slug == "early-development" or age_min <= 5:
            start = rng.choice((10 * 60, 11 * 60, 16 * 60, 16 * 60 + 30, 17 * 60, 17 * 60 + 30))
        elif age_min <= 9:
            start = rng.choice((14 * 60, 14 * 60 + 30, 15 * 60, 15 * 60 + 30, 16 * 60, 17 * 60))
        else:
            start = rng.choice((15 * 60, 15 * 60 + 30, 16 * 60, 16 * 60 + 30, 17 * 60, 18 * 60, 18 * 60 + 30))
        return days, start

    def _description(
        self,
        topic: vocab.Topic | None,
        band: tuple[int, int],
        groups: list[GroupPlan],
        ovz: bool,
        enrollment: str,
    ) -> str:
        rng = self.rng
        family = topic.family if topic else "social"
        intro = fitting(topic.intro, band) if topic else list(vocab.GENERIC_INTRO)
        parts = rng.sample(intro, k=min(len(intro), rng.choice((1, 1, 2))))
        years = years_ru(rng.choice((1, 2, 2, 3, 3, 4, 5)))
        parts.append(rng.choice(vocab.FAMILY_PROGRAMME[family]).format(years=years))
        lines: tuple[str, ...]
        if family in ("team", "martial", "individual_sport", "mind_sport"):
            lines = vocab.COACH_LINES
        elif family in ("music", "vocal"):
            lines = vocab.MUSIC_LINES
        elif family == "visual":
            lines = vocab.ART_LINES
        else:
            lines = vocab.TEACHER_LINES
        parts.append(rng.choice(lines).format(teacher=groups[0].teacher, years=years_ru(rng.randint(3, 32))))
        results = (topic.results if topic else ()) or vocab.FAMILY_RESULTS[family]
        if rng.random() < 0.7:
            parts.append(rng.choice(results))
        bring = (topic.bring if topic else ()) or vocab.FAMILY_BRING.get(family, ())
        if bring and rng.random() < 0.45:
            parts.append(rng.choice(bring))
        if ovz:
            parts.append(rng.choice(vocab.OVZ_LINES))
        if rng.random() < 0.5:
            parts.append(rng.choice(vocab.ENROLLMENT_LINES[enrollment]))
        return " ".join(parts)


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)
