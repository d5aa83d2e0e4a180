from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
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

    def ready(self) -> None:
        # Each app declares its file imports in `importers.py`; the one import page, command and
        # API operation find them in the registry.
        autodiscover_modules("importers")
