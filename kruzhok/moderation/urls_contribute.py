"""Citizens' contributions: /contribute/ (new entries, the citizen's own suggestions) and, under
the catalog's URLs, /activities/<pk>/suggest/ (an edit of an existing entry)."""

from django.urls import URLPattern, path

from kruzhok.moderation.views import suggestions

app_name = "contribute"
urlpatterns: list[URLPattern] = [
    path("", suggestions.contribute, name="contribute"),
    path("sent/<int:pk>/", suggestions.done, name="done"),
    path("organizations/", suggestions.organization_options, name="organizations"),
    path("addresses/", suggestions.address_options, name="addresses"),
    path("duplicates/", suggestions.duplicates, name="duplicates"),
]

# Mounted at the site root as namespace `suggest`: reverse("suggest:edit", args=[pk]).
suggest_urlpatterns = (
    [path("activities/<int:pk>/suggest/", suggestions.suggest_edit, name="edit")],
    "suggest",
)
