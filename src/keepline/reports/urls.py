from django.urls import path

from keepline.reports.views import deadlines, figures, missing, reports, targets

app_name = "reports"
urlpatterns = [
    path("", reports.report_list, name="list"),
    path("export.xlsx", reports.report_export, name="export"),
    path("enterprise/<int:pk>/", reports.report_form, name="report"),
    path("missing/", missing.missing, name="missing"),
    path("missing/export.xlsx", missing.missing_export, name="missing_export"),
    path("missing/<int:pk>/chase/", missing.chase, name="chase"),
    path("missing/chase-all/", missing.chase_all, name="chase_all"),
    path("deadlines/", deadlines.deadlines, name="deadlines"),
    path("deadlines/export.xlsx", deadlines.deadlines_export, name="deadlines_export"),
    path("deadlines/<int:pk>/remove/", deadlines.deadline_remove, name="deadline_remove"),
    path("targets/", targets.targets, name="targets"),
    path("targets/export.xlsx", targets.targets_export, name="targets_export"),
    path("targets/<int:pk>/remove/", targets.target_remove, name="target_remove"),
    path("figures/", figures.figures, name="figures"),
    path("figures/enterprises/", figures.figure_enterprises, name="figure_enterprises"),
]
