from django.urls import path

from keepline.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("export.xlsx", views.report_export, name="export"),
    path("enterprise/<int:pk>/", views.report_form, name="report"),
    path("missing/", views.missing, name="missing"),
    path("missing/<int:pk>/chase/", views.chase, name="chase"),
    path("missing/chase-all/", views.chase_all, name="chase_all"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("deadlines/<int:pk>/remove/", views.deadline_remove, name="deadline_remove"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:upload_id>/confirm/", views.import_confirm, name="import_confirm"),
    path("targets/", views.targets, name="targets"),
    path("targets/<int:pk>/remove/", views.target_remove, name="target_remove"),
    path("figures/", views.figures, name="figures"),
    path("figures/enterprises/", views.figure_enterprises, name="figure_enterprises"),
]
