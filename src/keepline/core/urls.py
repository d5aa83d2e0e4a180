from django.contrib.auth import views as auth_views
from django.urls import path

from keepline.core import import_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("people/", views.people, name="people"),
    path("people/export.xlsx", views.people_export, name="people_export"),
    path("people/<int:pk>/", views.person, name="person"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("inbox/", views.inbox, name="inbox"),
    path("audit/", views.audit_list, name="audit"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
    path("imports/<slug:kind>/", import_views.import_upload, name="import"),
    path(
        "imports/<slug:kind>/<int:upload_id>/confirm/",
        import_views.import_confirm,
        name="import_confirm",
    ),
    path("imports/<slug:kind>/template.xlsx", import_views.import_template, name="import_template"),
]
