from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem


class WhitelistConfig(AppConfig):
    name = "keepline.whitelist"
    label = "whitelist"
    verbose_name = _("Whitelists")
    menu: list[MenuItem] = []
