"""Pages of the supply chains: the network (links, industry chains, an enterprise's
chain), the lockdown scenarios, and the keep-running ranking with the substitutes."""

from django.urls import path

from keepline.chains.views import industry, keep, network, scenarios

app_name = "chains"
urlpatterns = [
    # the network
    path("links/", network.link_list, name="links"),
    path("links/export.xlsx", network.link_export, name="links_export"),
    path("links/new/", network.link_new, name="link_new"),
    path("links/<int:pk>/edit/", network.link_edit, name="link_edit"),
    path("links/<int:pk>/delete/", network.link_delete, name="link_delete"),
    path("choices/enterprises/", network.enterprise_choices, name="enterprise_choices"),
    path("chains/", industry.chain_list, name="chains"),
    path("chains/export.xlsx", industry.chain_export, name="chains_export"),
    path("chains/new/", industry.chain_new, name="chain_new"),
    path("chains/<int:pk>/", industry.chain_detail, name="chain"),
    path("chains/<int:pk>/edit/", industry.chain_edit, name="chain_edit"),
    path("chains/<int:pk>/members/", industry.member_add, name="member_add"),
    path("members/<int:pk>/remove/", industry.member_remove, name="member_remove"),
    path("enterprises/<int:pk>/", industry.enterprise_chain, name="enterprise"),
    # scenarios
    path("scenarios/", scenarios.scenario_list, name="scenarios"),
    path("scenarios/export.xlsx", scenarios.scenario_export, name="scenarios_export"),
    path("scenarios/new/", scenarios.scenario_new, name="scenario_new"),
    path(
        "scenarios/from-measures/", scenarios.scenario_from_measures, name="scenario_from_measures"
    ),
    path("scenarios/compare/", scenarios.scenario_compare, name="scenario_compare"),
    path("scenarios/<int:pk>/", scenarios.scenario_detail, name="scenario"),
    path(
        "scenarios/<int:pk>/results.xlsx", scenarios.scenario_results_export, name="scenario_export"
    ),
    path("scenarios/<int:pk>/run/", scenarios.scenario_run, name="scenario_run"),
    path("scenarios/<int:pk>/edit/", scenarios.scenario_edit, name="scenario_edit"),
    path("scenarios/<int:pk>/delete/", scenarios.scenario_delete, name="scenario_delete"),
    path("scenarios/<int:pk>/recovery/", scenarios.scenario_recovery, name="scenario_recovery"),
    # keep running
    path("scenarios/<int:pk>/rank/", keep.rank, name="rank"),
    path("scenarios/<int:pk>/picks.xlsx", keep.picks_export, name="picks_export"),
    path(
        "scenarios/<int:pk>/enterprises/<int:enterprise>/invite/",
        keep.invite,
        name="invite",
    ),
    path(
        "scenarios/<int:pk>/enterprises/<int:enterprise>/substitutes/",
        keep.substitutes,
        name="substitutes",
    ),
    path(
        "scenarios/<int:pk>/enterprises/<int:enterprise>/substitutes.xlsx",
        keep.substitutes_export,
        name="substitutes_export",
    ),
]
