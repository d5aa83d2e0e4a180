from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem

GROUP = _("Closed-loop production")


class BubbleConfig(AppConfig):
    name = "keepline.bubble"
    label = "bubble"
    verbose_name = _("Closed-loop production")
    menu_order = 40
    menu = [
        MenuItem(GROUP, _("Enterprise modes"), "bubble:modes", "bubble.ModeRecord"),
        MenuItem(GROUP, _("Closed-loop plans"), "bubble:plans", "bubble.ClosedLoopPlan"),
        MenuItem(GROUP, _("Mode change requests"), "bubble:requests", "bubble.ModeChangeRequest"),
        MenuItem(GROUP, _("Mode switching"), "bubble:switching", "bubble.MeasureSwitch"),
    ]
