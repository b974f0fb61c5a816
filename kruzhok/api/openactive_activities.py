"""Our categories in the OpenActive activity list, and our own concept scheme for the rest.

OpenActive's `activity` must name concepts of its activity list
(https://openactive.io/activity-list, CC BY 4.0), a list of *physical* activities. Each of our
categories that has an honest match there is mapped below, by the concept's id and its exact
`prefLabel` (the validator checks both).

OpenActive describes opportunities for *physical* activity, and its validator fails any item
whose `activity` is not on that list. Categories with no honest match — chess, robotics,
drawing, languages and the rest of the technical, science, social and most of the arts
directions — are therefore outside the feeds' scope: forcing them onto a sports concept would
publish false data, so an activity (or an event of one) none of whose categories is mapped is
carried as a `deleted` item, and the whole catalog stays available through /api/v1/ and the
downloads. Our own concept scheme (`/openactive/categories`, a SKOS ConceptScheme) still names
every direction and category in each item's `category`, and the importer reads it back.
"""

from __future__ import annotations

OPENACTIVE_ACTIVITY_LIST = "https://openactive.io/activity-list"

# category slug -> (concept UUID in the OpenActive activity list, its prefLabel)
OFFICIAL: dict[str, tuple[str, str]] = {
    "football": ("0a5f732d-e806-4e51-ad40-0a7de0239c8c", "Football"),
    "hockey": ("d82e1366-afab-4c87-b94e-6b5372733b13", "Ice Hockey"),
    "basketball": ("e09776e6-f1b4-421b-b667-5c5913cf97aa", "Basketball"),
    "volleyball": ("065c8564-144a-4833-b95a-db8550e6ac86", "Volleyball"),
    "swimming": ("2750229d-b725-4171-9276-376be913957c", "Swimming"),
    "athletics": ("4d280e1b-a370-4582-ab4d-442b2eeaf5d4", "Athletics"),
    "gymnastics": ("f6ccded0-2666-4a51-88a4-ed6905bb4313", "Gymnastics"),
    "karate": ("50e6f8dc-59a8-4899-af75-7ac344a85a06", "Karate"),
    "judo": ("1653aaaf-cb1e-4611-b45e-95a32d4a7db5", "Judo"),
    # The list spells it «Sombo»; its definition is Sambo, the Soviet martial art.
    "sambo": ("9f80ffea-d562-4118-a767-c03095bdfd27", "Sombo"),
    "boxing": ("d4417bb3-383f-489b-b0c7-731b82f3b220", "Boxing"),
    "wrestling": ("88ba0d3d-ce9e-4ee7-a6e5-2f16c944bfac", "Wrestling"),
    "taekwondo": ("9bc83d83-c651-4f37-b7e8-8ae4885d1899", "Taekwondo"),
    "fencing": ("92808e60-820c-4ee2-89ec-ea8d99d3f528", "Fencing"),
    "tennis": ("f2ea7405-6098-4378-b0fe-4e398a659fc4", "Tennis"),
    "table-tennis": ("1a05993d-b206-4efe-85da-646fa340bdf4", "Table Tennis"),
    "skiing": ("f9b01e23-68b4-4a60-a2d3-2efcd248ba7c", "Cross Country Skiing"),
    "figure-skating": ("ac029612-6f4a-45fe-b446-cbec44efadd2", "Figure Skating"),
    "cycling": ("4a19873e-118e-43f4-b86e-05acba8fb1de", "Cycling"),
    "climbing": ("d09970bc-e11c-40cc-a594-38e4ff32d611", "Climbing"),
    # ОФП, general physical training: «exercises designed to improve physical performance».
    "general-fitness": ("99363c95-ed8a-4fac-afd4-c55b138f0eba", "Strength and Conditioning"),
    "rhythmic-gymnastics": ("e0e18bd1-00e7-4cab-9752-368d455201cd", "Rhythmic Gymnastics"),
    "choreography": ("6ca15167-51da-4d91-a1ae-8a45dc47b0ea", "Dance"),
    "ballroom-dance": ("40c3a315-1401-4c31-a5c1-994c59a98469", "Ballroom And Latin"),
    "theatre": ("cf9ff8b8-7a15-48d3-8536-1d17e70345a7", "Acting"),
    "vocals": ("e2b21a40-66a4-42bb-a24f-3638cc356299", "Singing"),
    "choir": ("e2b21a40-66a4-42bb-a24f-3638cc356299", "Singing"),
    "circus": ("27422896-7cca-4e1f-8071-117838e70148", "Circus Skills"),
    "hiking": ("619f374a-c1b6-48d2-aabe-a01b6dedb9fd", "Hiking"),
    "orienteering": ("b2d5619e-56a7-4c40-b691-7f946f6ff5df", "Orienteering"),
}

# The reverse, for imports: an OpenActive concept id or label names one of our categories (the
# first slug mapped to it: «Singing» is vocals, not choir).
BY_CONCEPT: dict[str, str] = {}
for _slug, (_uuid, _label) in OFFICIAL.items():
    BY_CONCEPT.setdefault(f"{OPENACTIVE_ACTIVITY_LIST}#{_uuid}", _slug)
    BY_CONCEPT.setdefault(_label.casefold(), _slug)


def official_concept(slug: str) -> dict[str, str] | None:
    mapped = OFFICIAL.get(slug)
    if mapped is None:
        return None
    return {
        "@type": "Concept",
        "@id": f"{OPENACTIVE_ACTIVITY_LIST}#{mapped[0]}",
        "inScheme": OPENACTIVE_ACTIVITY_LIST,
        "prefLabel": mapped[1],
    }
