from django.urls import path

from keepline.places import views

app_name = "places"
urlpatterns = [
    path("regions/", views.regions, name="regions"),
    path("parks/", views.parks, name="parks"),
    path("parks/export.xlsx", views.park_export, name="park_export"),
    path("parks/new/", views.park_edit, name="park_new"),
    path("parks/<int:pk>/edit/", views.park_edit, name="park_edit"),
    path("measures/", views.measures, name="measures"),
    path("measures/export.xlsx", views.measure_export, name="measure_export"),
    path("measures/new/", views.measure_edit, name="measure_new"),
    path("measures/<int:pk>/", views.measure_detail, name="measure"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/delete/", views.measure_delete, name="measure_delete"),
]
