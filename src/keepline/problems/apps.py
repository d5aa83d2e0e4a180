from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem
from keepline.enterprises.links import EnterpriseLink


class ProblemsConfig(AppConfig):
    name = "keepline.problems"
    label = "problems"
    verbose_name = _("Enterprise problems")
    menu_order = 65
    # Filing is a button on the list, shown to those who may file: a liaison files for one
    # enterprise, so a creating item (a right over an area) would hide it from them. Importing
    # needs the right to file over an area. The letters' register opens to whoever may view letters,
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
            _("Import problems"),
            "import",
            "problems.Problem",
            creates=True,
            action="file",
            args=("problems",),
        ),
        MenuItem(
            _("Enterprise problems"),
            _("Problem settings"),
            "problems:setup",
            "problems.RoutingRule",
        ),
    ]
    enterprise_links = [
        EnterpriseLink(
            _("Enterprise problems"),
            "problems:list",
            "problems.Problem",
            query=(("enterprise", "{pk}"),),
        )
    ]
