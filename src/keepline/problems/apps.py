from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem


class ProblemsConfig(AppConfig):
    name = "keepline.problems"
    label = "problems"
    verbose_name = _("Problems")
    menu_order = 65
    # Filing is a button on the list, shown to those who may file: a creates=True item opens
    # only for holders of "change" over an area, which no one holds over problems (a liaison
    # files for one enterprise), and a plain item would show it to viewers who may not file.
    # "Problems" alone is also the daily report's field (存在问题); the menu names the capability.
    menu = [
        MenuItem(
            _("Enterprise problems"), _("Enterprise problems"), "problems:list", "problems.Problem"
        ),
        MenuItem(
            _("Enterprise problems"),
            _("Problem settings"),
            "problems:setup",
            "problems.RoutingRule",
        ),
    ]
