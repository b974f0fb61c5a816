from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "kruzhok.places"
    label = "places"
