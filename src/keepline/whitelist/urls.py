from django.urls import path

from keepline.whitelist import views

app_name = "whitelist"
urlpatterns = [
    path("", views.listing_list, name="listings"),
    path("export.xlsx", views.listing_export, name="listings_export"),
    path("listings/<int:pk>/", views.listing_detail, name="listing"),
    path("listings/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("listings/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("applications/", views.application_list, name="applications"),
    path("applications/export.xlsx", views.application_export, name="applications_export"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/decide/", views.decide, name="decide"),
    path("applications/<int:pk>/nominate/", views.nominate, name="nominate"),
    path("applications/<int:pk>/edit/", views.resubmit, name="resubmit"),
    path("applications/<int:pk>/documents/<str:kind>/", views.document, name="document"),
    path("apply/enterprise/<int:pk>/", views.apply_enterprise, name="apply_enterprise"),
    path("apply/park/<int:pk>/", views.apply_park, name="apply_park"),
    path("enterprises/<int:pk>/", views.enterprise_page, name="enterprise"),
    path(
        "invitations/<int:pk>/withdraw/",
        views.withdraw_invitation,
        name="withdraw_invitation",
    ),
    path("parks/<int:pk>/", views.park_page, name="park"),
    # Public: the page a certificate's QR code opens, without signing in.
    path("check/<str:token>/", views.check, name="check"),
]
