from django.urls import path

from keepline.service import views

app_name = "service"
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("coverage/", views.coverage_list, name="coverage"),
    path("coverage/export.xlsx", views.coverage_export, name="coverage_export"),
    path("coverage/assign/", views.coverage_assign, name="coverage_assign"),
    path("coverage/<int:pk>/end/", views.coverage_end, name="coverage_end"),
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_new, name="project_new"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/export.xlsx", views.visit_export, name="visits_export"),
    path("visits/plan/", views.visit_plan, name="visit_plan"),
    path("visits/record/", views.visit_record, name="visit_record"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("groups/", views.group_list, name="groups"),
    path("groups/new/", views.group_new, name="group_new"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:pk>/end/", views.group_end, name="group_end"),
    path("choices/enterprises/", views.enterprise_choices, name="enterprise_choices"),
    path("choices/people/", views.people_choices, name="people_choices"),
]
