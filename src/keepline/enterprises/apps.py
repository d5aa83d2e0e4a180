from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem


class EnterprisesConfig(AppConfig):
    name = "keepline.enterprises"
    label = "enterprises"
    verbose_name = _("Enterprise registry")
    menu_order = 20
    menu = [
        MenuItem(_("Registry"), _("Enterprises"), "enterprises:list", "enterprises.Enterprise"),
        MenuItem(
            _("Registry"),
            _("Import enterprises"),
            "import",
            "enterprises.Enterprise",
            creates=True,
            args=("enterprises",),
        ),
    ]
