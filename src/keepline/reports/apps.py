from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem


class ReportsConfig(AppConfig):
    name = "keepline.reports"
    label = "reports"
    verbose_name = _("Daily reports")
    menu: list[MenuItem] = []
