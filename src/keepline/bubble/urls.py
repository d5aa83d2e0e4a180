from django.urls import path

from keepline.bubble import views

app_name = "bubble"
urlpatterns = [
    path("plans/", views.plan_list, name="plans"),
    path("plans/export.xlsx", views.plan_export, name="plans_export"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/decide/", views.plan_decide, name="plan_decide"),
    path("enterprises/<int:pk>/", views.enterprise_page, name="enterprise"),
    path("enterprises/<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("enterprises/<int:pk>/mode/", views.mode_set, name="mode_set"),
    path("enterprises/<int:pk>/request/", views.request_new, name="request_new"),
    path("parks/<int:pk>/", views.park_page, name="park"),
    path("parks/<int:pk>/plan/", views.park_plan_edit, name="park_plan_edit"),
    path("requests/", views.request_list, name="requests"),
    path("requests/export.xlsx", views.request_export, name="requests_export"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("modes/", views.mode_list, name="modes"),
    path("modes/export.xlsx", views.mode_export, name="modes_export"),
    path("switching/", views.switching, name="switching"),
    path("switching/<int:pk>/", views.switch_page, name="switch"),
    path("switching/<int:pk>/confirm/", views.switch_confirm, name="switch_confirm"),
    path("switching/<int:pk>/end/", views.switch_end, name="switch_end"),
]
