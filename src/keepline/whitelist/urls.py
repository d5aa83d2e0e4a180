from django.urls import URLPattern

app_name = "whitelist"
urlpatterns: list[URLPattern] = []
