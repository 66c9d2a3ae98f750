from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "shop.dashboard"
    label = "dashboard"
    verbose_name = "Staff dashboard"
