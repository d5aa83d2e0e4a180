from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem
from keepline.enterprises.links import EnterpriseLink


class ReportsConfig(AppConfig):
    name = "keepline.reports"
    label = "reports"
    verbose_name = _("Daily reports")
    menu_order = 50
    menu = [
        MenuItem(_("Daily reports"), _("Daily reports"), "reports:list", "reports.DailyReport"),
        MenuItem(
            _("Daily reports"),
            _("Missing reports"),
            "reports:missing",
            "reports.ReportChase",
            creates=True,
        ),
        MenuItem(
            _("Daily reports"), _("Report deadlines"), "reports:deadlines", "reports.ReportDeadline"
        ),
        MenuItem(
            _("Daily reports"),
            _("Import daily reports"),
            "import",
            "reports.DailyReport",
            creates=True,
            args=("daily-reports",),
        ),
        MenuItem(_("Figures"), _("Figures"), "reports:figures", "reports.ResumptionTarget"),
        MenuItem(
            _("Figures"), _("Resumption targets"), "reports:targets", "reports.ResumptionTarget"
        ),
    ]
    enterprise_links = [
        EnterpriseLink(
            _("Daily reports"), "reports:list", "reports.DailyReport", query=(("q", "{uscc}"),)
        )
    ]
