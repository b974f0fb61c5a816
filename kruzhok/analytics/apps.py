from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """KPIs: traffic and searches counted without cookies or personal data, contributions,
    coverage of the city's offer and freshness; the dashboard and `manage.py kpi_report`."""

    name = "kruzhok.analytics"
    label = "analytics"
    verbose_name = _("Показатели")

    def ready(self) -> None:
        from django.core.signals import request_finished

        from kruzhok.analytics.middleware import flush_after_response

        request_finished.connect(flush_after_response, dispatch_uid="analytics_flush_after_response")
