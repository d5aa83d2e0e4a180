"""Pages of the keep-running ranking and of the substitutes (see keep_views)."""

from django.urls import URLPattern, path

from keepline.chains import keep_views

urlpatterns: list[URLPattern] = [
    path("scenarios/<int:pk>/rank/", keep_views.rank, name="rank"),
    path("scenarios/<int:pk>/picks.xlsx", keep_views.picks_export, name="picks_export"),
    path(
        "scenarios/<int:pk>/enterprises/<int:enterprise>/invite/",
        keep_views.invite,
        name="invite",
    ),
    path(
        "scenarios/<int:pk>/enterprises/<int:enterprise>/substitutes/",
        keep_views.substitutes,
        name="substitutes",
    ),
    path(
        "scenarios/<int:pk>/enterprises/<int:enterprise>/substitutes.xlsx",
        keep_views.substitutes_export,
        name="substitutes_export",
    ),
]
