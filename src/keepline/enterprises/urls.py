from django.urls import path

from keepline.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("export.xlsx", views.enterprise_export, name="export"),
    path("new/", views.enterprise_create, name="create"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/contacts/", views.contact_add, name="contact_add"),
    path("contacts/<int:pk>/remove/", views.contact_remove, name="contact_remove"),
    path("contacts/<int:pk>/phone/", views.contact_reveal, name="contact_reveal"),
]
