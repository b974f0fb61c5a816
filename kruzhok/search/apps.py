from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "kruzhok.search"
    verbose_name = "Поиск"

    def ready(self) -> None:
        from kruzhok.search import index

        index.connect_signals()
