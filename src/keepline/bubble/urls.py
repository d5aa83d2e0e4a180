from django.urls import URLPattern

app_name = "bubble"
urlpatterns: list[URLPattern] = []
