from django.urls import path

from keepline.problems.views import attachments, letters, lifecycle, setup

app_name = "problems"
urlpatterns = [
    path("", lifecycle.problem_list, name="list"),
    path("export.xlsx", lifecycle.problem_export, name="export"),
    path("file/", lifecycle.problem_file, name="file"),
    path("<int:pk>/", lifecycle.problem_detail, name="detail"),
    path("<int:pk>/attach/", attachments.problem_attach, name="attach"),
    path(
        "<int:pk>/documents/<int:attachment_id>/",
        attachments.problem_attachment,
        name="attachment",
    ),
    path("<int:pk>/letters/", letters.letter_draft, name="letter_draft"),
    path("letters/", letters.letter_list, name="letters"),
    path("letters/export.xlsx", letters.letter_export, name="letter_export"),
    path("letters/<int:pk>/letter.docx", letters.letter_docx, name="letter_docx"),
    path("letters/<int:pk>/reply-document/", letters.letter_reply_document, name="letter_reply"),
    path("letters/<int:pk>/<slug:step>/", letters.letter_step, name="letter_step"),
    path("from-report/<int:report_id>/", lifecycle.problem_from_report, name="from_report"),
    path("setup/", setup.routing, name="setup"),
    path("setup/rules/<int:pk>/remove/", setup.rule_remove, name="setup_rule_remove"),
    path("setup/limits/", setup.limits, name="setup_limits"),
    path("setup/limits/<int:pk>/remove/", setup.limit_remove, name="setup_limit_remove"),
    path("setup/calendar/", setup.calendar_page, name="setup_calendar"),
    path("setup/calendar/remove/", setup.calendar_remove, name="setup_calendar_remove"),
]
