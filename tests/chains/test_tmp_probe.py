from django.db import connection
from django.test.utils import CaptureQueriesContext

from keepline.chains.keep import rank_scenario
from tests.chains.support_keep import Net, net_fixture  # noqa: F401


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, r.status_code
    return len(ctx.captured_queries)


def test_probe(net: Net) -> None:
    c = net.world.client("bureau")
    for limit in (1, 3):
        rank_scenario(actor=net.user("bureau"), scenario_id=net.scenario.pk, limit=limit)
        print("page", limit, count(c, f"/chains/scenarios/{net.scenario.pk}/"))
        print("api", limit, count(c, f"/api/chains/scenarios/{net.scenario.pk}/picks"))
        print("xlsx", limit, count(c, f"/chains/scenarios/{net.scenario.pk}/picks.xlsx"))
    print("list api", count(c, "/api/chains/scenarios"))
    from keepline.chains.scenarios import create_scenario
    import datetime as dt
    for i in range(3):
        create_scenario(actor=net.user("bureau"), name=f"s{i}", region_id=net.world.luzhou.pk, starts_on=dt.date(2022,9,1), days=10, areas=[{"region_id": net.world.jiangyang.pk, "starts_on": "2022-09-01", "ends_on": "2022-09-03", "strictness": 3}])
    print("list api", count(c, "/api/chains/scenarios"))
    print("list page", count(c, "/chains/scenarios/"))
