from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "kruzhok.events"
    label = "events"
