from django.urls import path

from keepline.briefing import views

app_name = "briefing"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("daily/", views.daily, name="daily"),
    path("daily.docx", views.daily_docx, name="daily_docx"),
    path("daily.xlsx", views.daily_xlsx, name="daily_xlsx"),
]
