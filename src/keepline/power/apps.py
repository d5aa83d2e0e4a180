from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem
from keepline.enterprises.links import EnterpriseLink


class PowerConfig(AppConfig):
    name = "keepline.power"
    label = "power"
    verbose_name = _("Power")
    menu_order = 55
    menu = [
        MenuItem(_("Power"), _("Power resumption index"), "power:index", "power.DailyReading"),
        MenuItem(_("Power"), _("Power alerts"), "power:alerts", "power.PowerAlert"),
        MenuItem(_("Power"), _("Meter-data files"), "power:imports", "power.PowerImport"),
        MenuItem(
            _("Power"),
            _("Import meter data"),
            "import",
            "power.PowerImport",
            creates=True,
            args=("power",),
        ),
    ]
    enterprise_links = [
        EnterpriseLink(_("Power timeline"), "power:enterprise", "power.DailyReading", with_pk=True)
    ]
