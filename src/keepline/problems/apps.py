from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem


class ProblemsConfig(AppConfig):
    name = "keepline.problems"
    label = "problems"
    verbose_name = _("Problems")
    menu_order = 65
    # The pages come in a later round; a feature that is not built is not in the menu.
    menu: list[MenuItem] = []
