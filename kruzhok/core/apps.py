from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kruzhok.core"
    label = "core"

    def ready(self) -> None:
        from kruzhok.core import checks  # noqa: F401 (registers the deployment checks)
