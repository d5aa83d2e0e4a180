from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from keepline.core.menu import MenuItem


class PlacesConfig(AppConfig):
    name = "keepline.places"
    label = "places"
    verbose_name = _("Places")
    menu_order = 60
    menu = [
        MenuItem(_("Places"), _("Regions"), "places:regions", "places.Region"),
        MenuItem(_("Places"), _("Parks"), "places:parks", "places.Park"),
        MenuItem(_("Places"), _("Control measures"), "places:measures", "places.ControlMeasure"),
    ]
