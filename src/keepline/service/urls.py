from django.urls import path

from keepline.service.views import choices, coverage, groups, mine, projects, visits

app_name = "service"
urlpatterns = [
    path("mine/", mine.mine, name="mine"),
    path("coverage/", coverage.coverage_list, name="coverage"),
    path("coverage/export.xlsx", coverage.coverage_export, name="coverage_export"),
    path("coverage/assign/", coverage.coverage_assign, name="coverage_assign"),
    path("coverage/<int:pk>/end/", coverage.coverage_end, name="coverage_end"),
    path("projects/", projects.project_list, name="projects"),
    path("projects/export.xlsx", projects.project_export, name="projects_export"),
    path("projects/new/", projects.project_new, name="project_new"),
    path("visits/", visits.visit_list, name="visits"),
    path("visits/export.xlsx", visits.visit_export, name="visits_export"),
    path("visits/plan/", visits.visit_plan, name="visit_plan"),
    path("visits/record/", visits.visit_record, name="visit_record"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit"),
    path("groups/", groups.group_list, name="groups"),
    path("groups/export.xlsx", groups.group_export, name="groups_export"),
    path("groups/new/", groups.group_new, name="group_new"),
    path("groups/<int:pk>/", groups.group_detail, name="group"),
    path("groups/<int:pk>/edit/", groups.group_edit, name="group_edit"),
    path("groups/<int:pk>/end/", groups.group_end, name="group_end"),
    path("choices/enterprises/", choices.enterprise_choices, name="enterprise_choices"),
    path("choices/people/", choices.people_choices, name="people_choices"),
]
