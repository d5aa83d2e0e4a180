"""The role matrix entries of the supply-network pages and API.

Own objects lie in Jiangyang: a link from a glassworks in the world's park to the world's
enterprise, and the city's liquor chain led by the world's enterprise; foreign ones lie in Yibin.
Every object is made on the system's authority while its case runs, inside the savepoint the
matrix rolls back."""

from __future__ import annotations

from typing import Any

from keepline.chains.models import ChainMember, IndustryChain, SupplyLink
from keepline.chains.services.network import add_member, save_chain
from keepline.enterprises.models import Enterprise
from tests.chains.support_network import firm, link
from tests.conftest import ROLES, SYSTEM, World
from tests.matrix import Case, foreign, object_statuses, static, statuses

VIEWERS = {"admin", "bureau", "district", "park", "department", "leader", "commissioner", "liaison"}
EDITORS = {"admin", "bureau", "district", "park"}
# The own chain is the city's: the bureau keeps it, the district and park read it.
CHAIN_KEEPERS = {"admin", "bureau"}
# The own member is the glassworks: the world's enterprise's liaison and commissioner do not see it.
MEMBER_VIEWERS = VIEWERS - {"commissioner", "liaison"}


def _supplier(w: World, which: str) -> Enterprise:
    own = which == "own"
    name = "矩阵测试玻璃有限公司" if own else "矩阵翠屏玻璃有限公司"
    found = Enterprise.objects.filter(name=name).first()
    if found is not None:
        return found
    if own:
        return firm(90, name, w.jiangyang, park=w.park)
    return firm(91, name, w.yibin_district, park=w.foreign_park)


def _customer(w: World, which: str) -> Enterprise:
    return w.enterprise if which == "own" else w.foreign_enterprise


def _product(w: World, which: str) -> str:
    return "矩阵江阳玻璃瓶" if which == "own" else "矩阵翠屏玻璃瓶"


def _link(w: World, which: str) -> SupplyLink:
    found = SupplyLink.objects.filter(product=_product(w, which)).first()
    if found is not None:
        return found
    return link(_supplier(w, which), _customer(w, which), _product(w, which))


def _chain(w: World, which: str) -> IndustryChain:
    own = which == "own"
    name = "矩阵白酒产业链" if own else "矩阵翠屏化工链"
    found = IndustryChain.objects.filter(name=name).first()
    if found is not None:
        return found
    return save_chain(
        actor=SYSTEM,
        name=name,
        region_id=(w.luzhou if own else w.yibin).pk,
        leader_id=_customer(w, which).pk,
    )


def _member(w: World, which: str) -> ChainMember:
    chain = _chain(w, which)
    found = ChainMember.objects.filter(chain=chain).first()
    if found is not None:
        return found
    return add_member(
        actor=SYSTEM, chain_id=chain.pk, enterprise_id=_supplier(w, which).pk, segment="玻璃瓶"
    )


def _listing(path: str, make: Any) -> Any:
    def url(w: World, which: str) -> str:
        make(w, "own")
        make(w, "foreign")
        return path

    return url


def _at(template: str, make: Any) -> Any:
    return lambda w, which: template.format(make(w, which).pk)


def _shows_link(w: World, which: str) -> str:
    return _product(w, which)


def _shows_chain(w: World, which: str) -> str:
    return "矩阵白酒产业链" if which == "own" else "矩阵翠屏化工链"


def _denied_foreign(ok: int, allowed: set[str], seen: int = 404) -> dict[str, int]:
    """A write naming foreign objects: the administrator may, those with the right elsewhere do
    not find them (`seen`), the rest lack the right (403)."""
    return {r: ok if r == "admin" else seen if r in allowed else 403 for r in ROLES}


def _viewers_of(view: set[str]) -> dict[str, int]:
    return {r: 200 if r in view else 403 for r in ROLES}


# ---- request bodies ---------------------------------------------------------------------------


def _link_body(w: World, which: str) -> dict[str, Any]:
    return {
        "supplier": _supplier(w, which).pk,
        "customer": _customer(w, which).pk,
        "product": "矩阵新产品",
        "sector": "30",
        "share": "10%",
        "stock_days": "5",
    }


def _link_api(w: World, which: str) -> dict[str, Any]:
    body = _link_body(w, which)
    return {
        "supplier_id": body.pop("supplier"),
        "customer_id": body.pop("customer"),
        **body,
    }


def _link_edit(w: World, which: str) -> dict[str, Any]:
    found = _link(w, which)
    return _link_body(w, which) | {"product": found.product, "version": found.version}


def _link_change_api(w: World, which: str) -> dict[str, Any]:
    found = _link(w, which)
    return _link_api(w, which) | {"product": found.product, "version": found.version}


def _version(make: Any) -> Any:
    return lambda w, which: {"version": make(w, which).version}


def _chain_body(w: World, which: str) -> dict[str, Any]:
    return {"name": "矩阵新链", "region": (w.jiangyang if which == "own" else w.yibin).code}


def _chain_edit(w: World, which: str) -> dict[str, Any]:
    chain = _chain(w, which)
    return {"name": chain.name, "region": chain.region.code, "version": chain.version}


def _member_body(w: World, which: str) -> dict[str, Any]:
    _chain(w, which)
    return {"enterprise": _supplier(w, which).pk, "segment": "玻璃瓶"}


def _member_api(w: World, which: str) -> dict[str, Any]:
    _chain(w, which)
    return {"enterprise_id": _supplier(w, which).pk, "segment": "玻璃瓶"}


def _enterprise_at(template: str) -> Any:
    return lambda w, which: template.format(_customer(w, which).pk)


def _chain_api_post() -> dict[str, int]:
    # The own region is Jiangyang: the park committee holds no region (403).
    return {r: 200 if r in {"admin", "bureau", "district"} else 403 for r in ROLES}


PAGES: dict[str, list[Case]] = {
    "chains:links": [
        Case(
            "get",
            _listing("/chains/links/", _link),
            statuses(200, VIEWERS),
            shows=_shows_link,
            shows_own_for=VIEWERS,
        ),
        Case(
            "get",
            _listing("/chains/links/?low_stock=7&sort=-share", _link),
            statuses(200, VIEWERS),
            shows=_shows_link,
            shows_own_for=VIEWERS,
        ),
    ],
    "chains:links_export": [
        Case("get", _listing("/chains/links/export.xlsx", _link), statuses(200, VIEWERS))
    ],
    "chains:link_new": [
        Case("get", static("/chains/links/new/"), statuses(200, EDITORS)),
        Case(
            "post",
            static("/chains/links/new/"),
            statuses(302, EDITORS),
            _denied_foreign(302, EDITORS),
            data=_link_body,
        ),
    ],
    "chains:link_edit": [
        Case(
            "get",
            _at("/chains/links/{}/edit/", _link),
            object_statuses(200, VIEWERS, EDITORS),
            foreign(200),
        ),
        Case(
            "post",
            _at("/chains/links/{}/edit/", _link),
            object_statuses(302, VIEWERS, EDITORS),
            foreign(302),
            data=_link_edit,
        ),
    ],
    "chains:link_delete": [
        Case(
            "get",
            _at("/chains/links/{}/delete/", _link),
            object_statuses(200, VIEWERS, EDITORS),
            foreign(200),
        ),
        Case(
            "post",
            _at("/chains/links/{}/delete/", _link),
            object_statuses(302, VIEWERS, EDITORS),
            foreign(302),
            data=_version(_link),
        ),
    ],
    "chains:enterprise_choices": [
        Case(
            "get",
            static("/chains/choices/enterprises/"),
            statuses(200, EDITORS),
            shows=lambda w, which: _customer(w, which).name,
            shows_own_for=EDITORS,
        )
    ],
    "chains:chains": [
        Case(
            "get",
            _listing("/chains/chains/", _chain),
            statuses(200, VIEWERS),
            shows=_shows_chain,
            shows_own_for=VIEWERS,
        )
    ],
    "chains:chains_export": [
        Case(
            "get",
            _listing("/chains/chains/export.xlsx?sort=-members", _member),
            statuses(200, VIEWERS),
        )
    ],
    "chains:chain_new": [
        Case("get", static("/chains/chains/new/"), statuses(200, EDITORS)),
        Case(
            "post",
            static("/chains/chains/new/"),
            {**statuses(302, {"admin", "bureau", "district"}), "park": 400},
            _denied_foreign(302, EDITORS, seen=400),
            data=_chain_body,
        ),
    ],
    "chains:chain": [
        Case("get", _at("/chains/chains/{}/", _chain), object_statuses(200, VIEWERS), foreign(200))
    ],
    "chains:chain_edit": [
        Case(
            "get",
            _at("/chains/chains/{}/edit/", _chain),
            object_statuses(200, VIEWERS, CHAIN_KEEPERS),
            foreign(200),
        ),
        Case(
            "post",
            _at("/chains/chains/{}/edit/", _chain),
            object_statuses(302, VIEWERS, CHAIN_KEEPERS),
            foreign(302),
            data=_chain_edit,
        ),
    ],
    "chains:member_add": [
        Case(
            "post",
            _at("/chains/chains/{}/members/", _chain),
            object_statuses(302, VIEWERS, CHAIN_KEEPERS),
            foreign(302),
            data=_member_body,
        )
    ],
    "chains:member_remove": [
        Case(
            "post",
            _at("/chains/members/{}/remove/", _member),
            object_statuses(302, MEMBER_VIEWERS, CHAIN_KEEPERS),
            foreign(302),
        )
    ],
    "chains:enterprise": [
        Case(
            "get",
            _enterprise_at("/chains/enterprises/{}/"),
            _viewers_of(VIEWERS),
            _denied_foreign(200, VIEWERS),
        )
    ],
}

API: dict[str, list[Case]] = {
    "GET /api/chains/links": [
        Case(
            "get",
            _listing("/api/chains/links", _link),
            statuses(200, VIEWERS),
            shows=_shows_link,
            shows_own_for=VIEWERS,
            json=True,
        )
    ],
    "POST /api/chains/links": [
        Case(
            "post",
            static("/api/chains/links"),
            statuses(200, EDITORS),
            _denied_foreign(200, EDITORS),
            data=_link_api,
            json=True,
        )
    ],
    "GET /api/chains/links/{link_id}": [
        Case(
            "get",
            _at("/api/chains/links/{}", _link),
            object_statuses(200, VIEWERS),
            foreign(200),
            json=True,
        )
    ],
    "PUT /api/chains/links/{link_id}": [
        Case(
            "put",
            _at("/api/chains/links/{}", _link),
            object_statuses(200, VIEWERS, EDITORS),
            foreign(200),
            data=_link_change_api,
            json=True,
        )
    ],
    "DELETE /api/chains/links/{link_id}": [
        Case(
            "delete",
            lambda w, which: f"/api/chains/links/{_link(w, which).pk}?version=1",
            object_statuses(204, VIEWERS, EDITORS),
            foreign(204),
            json=True,
        )
    ],
    "GET /api/chains/chains": [
        Case(
            "get",
            _listing("/api/chains/chains", _chain),
            statuses(200, VIEWERS),
            shows=_shows_chain,
            shows_own_for=VIEWERS,
            json=True,
        )
    ],
    "POST /api/chains/chains": [
        Case(
            "post",
            static("/api/chains/chains"),
            _chain_api_post(),
            _denied_foreign(200, EDITORS, seen=403),
            data=_chain_body,
            json=True,
        )
    ],
    "GET /api/chains/chains/{chain_id}": [
        Case(
            "get",
            _at("/api/chains/chains/{}", _chain),
            object_statuses(200, VIEWERS),
            foreign(200),
            json=True,
        )
    ],
    "PUT /api/chains/chains/{chain_id}": [
        Case(
            "put",
            _at("/api/chains/chains/{}", _chain),
            object_statuses(200, VIEWERS, CHAIN_KEEPERS),
            foreign(200),
            data=_chain_edit,
            json=True,
        )
    ],
    "POST /api/chains/chains/{chain_id}/members": [
        Case(
            "post",
            _at("/api/chains/chains/{}/members", _chain),
            object_statuses(200, VIEWERS, CHAIN_KEEPERS),
            foreign(200),
            data=_member_api,
            json=True,
        )
    ],
    "DELETE /api/chains/members/{member_id}": [
        Case(
            "delete",
            _at("/api/chains/members/{}", _member),
            object_statuses(204, MEMBER_VIEWERS, CHAIN_KEEPERS),
            foreign(204),
            json=True,
        )
    ],
    "GET /api/chains/chains/{chain_id}/graph": [
        Case(
            "get",
            _at("/api/chains/chains/{}/graph", _chain),
            object_statuses(200, VIEWERS),
            foreign(200),
            json=True,
        )
    ],
    "GET /api/chains/enterprises/{enterprise_id}/graph": [
        Case(
            "get",
            _enterprise_at("/api/chains/enterprises/{}/graph?depth=3"),
            _viewers_of(VIEWERS),
            _denied_foreign(200, VIEWERS),
            json=True,
        )
    ],
}
