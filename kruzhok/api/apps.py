from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kruzhok.api"
    verbose_name = "API"
