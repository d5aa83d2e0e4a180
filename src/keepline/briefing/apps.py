from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem


class BriefingConfig(AppConfig):
    name = "keepline.briefing"
    label = "briefing"
    verbose_name = _("Command and briefing")
    menu_order = 10
    menu = [
        MenuItem(_("Command"), _("Dashboard"), "briefing:dashboard", "reports.ResumptionTarget"),
        MenuItem(_("Command"), _("Daily briefing"), "briefing:daily", "reports.ResumptionTarget"),
    ]
