from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kruzhok.core"
    label = "core"
