from django.urls import path

from keepline.problems import views

app_name = "problems"
urlpatterns = [
    path("", views.problem_list, name="list"),
    path("export.xlsx", views.problem_export, name="export"),
    path("file/", views.problem_file, name="file"),
    path("<int:pk>/", views.problem_detail, name="detail"),
]
