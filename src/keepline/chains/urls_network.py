"""Pages of the supply network: links, the import, industry chains, an enterprise's chain."""

from django.urls import URLPattern, path

from keepline.chains import network_views as views

urlpatterns: list[URLPattern] = [
    path("links/", views.link_list, name="links"),
    path("links/export.xlsx", views.link_export, name="links_export"),
    path("links/new/", views.link_new, name="link_new"),
    path("links/<int:pk>/edit/", views.link_edit, name="link_edit"),
    path("links/<int:pk>/delete/", views.link_delete, name="link_delete"),
    path("links/import/", views.link_import, name="links_import"),
    path("links/import/template.xlsx", views.import_template, name="links_template"),
    path("choices/enterprises/", views.enterprise_choices, name="enterprise_choices"),
    path("chains/", views.chain_list, name="chains"),
    path("chains/export.xlsx", views.chain_export, name="chains_export"),
    path("chains/new/", views.chain_new, name="chain_new"),
    path("chains/<int:pk>/", views.chain_detail, name="chain"),
    path("chains/<int:pk>/edit/", views.chain_edit, name="chain_edit"),
    path("chains/<int:pk>/members/", views.member_add, name="member_add"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("enterprises/<int:pk>/", views.enterprise_chain, name="enterprise"),
]
