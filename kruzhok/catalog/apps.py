from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "kruzhok.catalog"
    label = "catalog"
