from django.contrib.auth import views as auth_views
from django.urls import path

from keepline.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("inbox/", views.inbox, name="inbox"),
    path("audit/", views.audit_list, name="audit"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
]
