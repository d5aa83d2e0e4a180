from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem
from keepline.enterprises.links import EnterpriseLink


class ChainsConfig(AppConfig):
    name = "keepline.chains"
    label = "chains"
    verbose_name = _("Supply chains")
    menu_order = 69
    menu = [
        MenuItem(
            _("Supply chains"), _("Lockdown scenarios"), "chains:scenarios", "chains.Scenario"
        ),
        MenuItem(_("Supply chains"), _("Supply links"), "chains:links", "chains.SupplyLink"),
        MenuItem(_("Supply chains"), _("Industry chains"), "chains:chains", "chains.IndustryChain"),
    ]
    enterprise_links = [
        EnterpriseLink(_("Supply chain"), "chains:enterprise", "chains.SupplyLink", with_pk=True),
    ]
