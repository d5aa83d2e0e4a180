from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem


class CoreConfig(AppConfig):
    name = "keepline.core"
    label = "core"
    verbose_name = _("Core")
    menu_order = 90
    menu = [
        MenuItem(_("Administration"), _("People"), "people", "core.User"),
        MenuItem(_("Administration"), _("Audit trail"), "audit", "core.AuditEvent"),
    ]
