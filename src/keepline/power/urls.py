from django.urls import path

from keepline.power.views import alerts, imports, metrics

app_name = "power"
urlpatterns = [
    # imports
    path("imports/", imports.imports, name="imports"),
    # metrics
    path("", metrics.index, name="index"),
    # alerts and timelines
    path("alerts/", alerts.alert_list, name="alerts"),
]
