from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem


class ProblemsConfig(AppConfig):
    name = "keepline.problems"
    label = "problems"
    verbose_name = _("Enterprise problems")
    menu_order = 65
    # Filing and the Excel import are buttons on the list, shown to those who may file or
    # import: a creates=True item opens only for holders of "change" over an area, which no one
    # holds over problems (importing needs "file" over an area), and a plain item would show
    # them to viewers who may not file. The letters' register opens to whoever may view letters,
    # as its page does (require_role on CoordinationLetter). "Problems" alone is also the daily
    # report's field (存在问题); the menu names the capability.
    menu = [
        MenuItem(
            _("Enterprise problems"), _("Enterprise problems"), "problems:list", "problems.Problem"
        ),
        MenuItem(
            _("Enterprise problems"),
            _("Coordination letters"),
            "problems:letters",
            "problems.CoordinationLetter",
        ),
        MenuItem(
            _("Enterprise problems"),
            _("Problem settings"),
            "problems:setup",
            "problems.RoutingRule",
        ),
    ]
