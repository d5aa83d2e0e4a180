from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem


class BubbleConfig(AppConfig):
    name = "keepline.bubble"
    label = "bubble"
    verbose_name = _("Closed-loop production")
    menu: list[MenuItem] = []
