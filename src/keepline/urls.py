from django.urls import include, path

from keepline.api import api

urlpatterns = [
    path("", include("keepline.core.urls")),
    path("places/", include("keepline.places.urls")),
    path("enterprises/", include("keepline.enterprises.urls")),
    path("whitelist/", include("keepline.whitelist.urls")),
    path("bubble/", include("keepline.bubble.urls")),
    path("reports/", include("keepline.reports.urls")),
    path("power/", include("keepline.power.urls")),
    path("problems/", include("keepline.problems.urls")),
    path("service/", include("keepline.service.urls")),
    path("chains/", include("keepline.chains.urls")),
    path("briefing/", include("keepline.briefing.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
]
