from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem

GROUP = _("Whitelists")


class WhitelistConfig(AppConfig):
    name = "keepline.whitelist"
    label = "whitelist"
    verbose_name = _("Whitelists")
    menu_order = 30
    menu = [
        MenuItem(
            GROUP, _("Whitelist listings"), "whitelist:listings", "whitelist.WhitelistListing"
        ),
        MenuItem(
            GROUP,
            _("Whitelist applications"),
            "whitelist:applications",
            "whitelist.WhitelistApplication",
        ),
    ]
