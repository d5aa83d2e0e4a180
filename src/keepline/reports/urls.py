from django.urls import path

from keepline.reports.views import figures, goals, missing, reports

app_name = "reports"
urlpatterns = [
    path("", reports.report_list, name="list"),
    path("export.xlsx", reports.report_export, name="export"),
    path("enterprise/<int:pk>/", reports.report_form, name="report"),
    path("missing/", missing.missing, name="missing"),
    path("missing/export.xlsx", missing.missing_export, name="missing_export"),
    path("missing/<int:pk>/chase/", missing.chase, name="chase"),
    path("missing/chase-all/", missing.chase_all, name="chase_all"),
    path("deadlines/", goals.deadlines, name="deadlines"),
    path("deadlines/export.xlsx", goals.deadlines_export, name="deadlines_export"),
    path("deadlines/<int:pk>/remove/", goals.deadline_remove, name="deadline_remove"),
    path("targets/", goals.targets, name="targets"),
    path("targets/export.xlsx", goals.targets_export, name="targets_export"),
    path("targets/<int:pk>/remove/", goals.target_remove, name="target_remove"),
    path("figures/", figures.figures, name="figures"),
    path("figures/enterprises/", figures.figure_enterprises, name="figure_enterprises"),
]
