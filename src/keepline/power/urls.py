from django.urls import path

from keepline.power.views import alerts, imports, metrics

app_name = "power"
urlpatterns = [
    # imports
    path("imports/", imports.imports, name="imports"),
    path("imports/<int:pk>/", imports.import_detail, name="import"),
    # metrics
    path("", metrics.index, name="index"),
    path("index/export.xlsx", metrics.index_export, name="index_export"),
    path("index/enterprises/", metrics.index_enterprises, name="index_enterprises"),
    path(
        "index/enterprises/export.xlsx",
        metrics.index_enterprises_export,
        name="index_enterprises_export",
    ),
    # alerts and timelines
    path("alerts/", alerts.alert_list, name="alerts"),
    path("alerts/export.xlsx", alerts.alert_export, name="alerts_export"),
    path("alerts/detect/", alerts.alert_detect, name="alerts_detect"),
    path("alerts/<int:pk>/", alerts.alert_detail, name="alert"),
    path("enterprises/<int:pk>/", alerts.enterprise_timeline, name="enterprise"),
]
