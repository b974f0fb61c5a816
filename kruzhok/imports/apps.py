from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "kruzhok.imports"
    label = "imports"
