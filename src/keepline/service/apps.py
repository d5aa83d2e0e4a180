from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem


class ServiceConfig(AppConfig):
    name = "keepline.service"
    label = "service"
    verbose_name = _("Service network")
    menu_order = 70
    # Pages come in a later round; a feature that is not built is not in the menu.
    menu: list[MenuItem] = []
