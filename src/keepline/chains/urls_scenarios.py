from django.urls import URLPattern, path

from keepline.chains import scenario_views as views

urlpatterns: list[URLPattern] = [
    path("scenarios/", views.scenario_list, name="scenarios"),
    path("scenarios/export.xlsx", views.scenario_export, name="scenarios_export"),
    path("scenarios/new/", views.scenario_new, name="scenario_new"),
    path("scenarios/from-measures/", views.scenario_from_measures, name="scenario_from_measures"),
    path("scenarios/compare/", views.scenario_compare, name="scenario_compare"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario"),
    path("scenarios/<int:pk>/results.xlsx", views.scenario_results_export, name="scenario_export"),
    path("scenarios/<int:pk>/run/", views.scenario_run, name="scenario_run"),
    path("scenarios/<int:pk>/edit/", views.scenario_edit, name="scenario_edit"),
    path("scenarios/<int:pk>/delete/", views.scenario_delete, name="scenario_delete"),
    path("scenarios/<int:pk>/recovery/", views.scenario_recovery, name="scenario_recovery"),
]
