from django.urls import path

from keepline.problems import setup_views, views

app_name = "problems"
urlpatterns = [
    path("", views.problem_list, name="list"),
    path("export.xlsx", views.problem_export, name="export"),
    path("file/", views.problem_file, name="file"),
    path("<int:pk>/", views.problem_detail, name="detail"),
    path("<int:pk>/attach/", views.problem_attach, name="attach"),
    path("<int:pk>/documents/<int:attachment_id>/", views.problem_attachment, name="attachment"),
    path("<int:pk>/letters/", views.letter_draft, name="letter_draft"),
    path("letters/", views.letter_list, name="letters"),
    path("letters/export.xlsx", views.letter_export, name="letter_export"),
    path("letters/<int:pk>/letter.docx", views.letter_docx, name="letter_docx"),
    path("letters/<int:pk>/reply-document/", views.letter_reply_document, name="letter_reply"),
    path("letters/<int:pk>/<slug:step>/", views.letter_step, name="letter_step"),
    path("import/", views.problem_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("from-report/<int:report_id>/", views.problem_from_report, name="from_report"),
    path("setup/", setup_views.routing, name="setup"),
    path("setup/rules/<int:pk>/remove/", setup_views.rule_remove, name="setup_rule_remove"),
    path("setup/limits/", setup_views.limits, name="setup_limits"),
    path("setup/limits/<int:pk>/remove/", setup_views.limit_remove, name="setup_limit_remove"),
    path("setup/calendar/", setup_views.calendar_page, name="setup_calendar"),
    path("setup/calendar/remove/", setup_views.calendar_remove, name="setup_calendar_remove"),
    path("setup/calendar/import/", setup_views.calendar_import, name="setup_calendar_import"),
    path(
        "setup/calendar/template.xlsx",
        setup_views.calendar_template,
        name="setup_calendar_template",
    ),
]
