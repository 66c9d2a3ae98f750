from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "shop.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"
