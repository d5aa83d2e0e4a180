from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem
from keepline.enterprises.links import EnterpriseLink, EnterprisePanel


class ServiceConfig(AppConfig):
    name = "keepline.service"
    label = "service"
    verbose_name = _("Service network")
    menu_order = 67
    # "My work" opens for whoever may see coverage; a cadre who covers something without any
    # membership reaches it by its address, as they hold no role the menu could go by.
    menu = [
        MenuItem(_("Service network"), _("My work"), "service:mine", "service.Coverage"),
        MenuItem(_("Service network"), _("Coverage"), "service:coverage", "service.Coverage"),
        MenuItem(_("Service network"), _("Key projects"), "service:projects", "service.KeyProject"),
        MenuItem(_("Service network"), _("Visits"), "service:visits", "service.Visit"),
        MenuItem(
            _("Service network"), _("Working groups"), "service:groups", "service.WorkingGroup"
        ),
    ]
    enterprise_links = [
        EnterpriseLink(
            _("Visits"), "service:visits", "service.Visit", query=(("enterprise", "{pk}"),)
        ),
        EnterpriseLink(
            _("Coverage history"),
            "service:coverage",
            "service.Coverage",
            query=(("enterprise", "{pk}"), ("state", "all")),
        ),
    ]
    # Who covers the enterprise today.
    enterprise_panels = [EnterprisePanel("keepline.service.views.coverage.enterprise_panel")]
