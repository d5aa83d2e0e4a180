"""Turning raw enterprise fields (a form, an API body or an import row) into clean values.

Every way in shares these rules, so a form, the API and an Excel row fail the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

from keepline.core.tabular import Column
from keepline.enterprises.models import (
    MAX_EMPLOYEES,
    MAX_OUTPUT_WAN,
    Enterprise,
    Industry,
    IndustryLevel,
    PowerAccount,
)
from keepline.places.models import Park, Region, RegionLevel

COLUMNS = [
    Column("uscc", _("Unified social credit code"), True, "91510500MA62X5QF23"),
    Column("name", _("Name"), True, "泸州示例酒业有限公司"),
    Column("region", _("Region code"), True, "510502"),
    Column("park", _("Park code"), False, ""),
    Column("industry", _("Industry code (GB/T 4754 division)"), True, "15"),
    Column("above_size", _("Above designated size (yes/no)"), True, "yes"),
    Column("annual_output", _("Annual output value (10k CNY)"), True, "52000.50"),
    Column("employees", _("Employees"), True, "860"),
    Column("capacity_note", _("Production capacity"), False, "年产基酒 3 万吨"),
    Column("liaison_name", _("Liaison name"), False, "王敏"),
    Column("liaison_phone", _("Liaison phone"), False, "13800001234"),
    Column("power_accounts", _("Power account numbers (separated by ;)"), False, "0512345678"),
]
CORE_FIELDS = [c.key for c in COLUMNS[:9]]
YES = {"yes", "y", "true", "1", "是", "规上"}
NO = {"no", "n", "false", "0", "否", "规下"}
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
ACCOUNT = re.compile(r"^[0-9A-Za-z-]{4,30}$")


@dataclass
class Lookups:
    """Reference data loaded once, so validating 10,000 rows makes no query per row."""

    regions: dict[str, Region]
    parks: dict[str, Park]
    industries: dict[str, Industry]
    taken_uscc: dict[str, int] = field(default_factory=dict)  # code -> enterprise id
    taken_accounts: dict[str, int] = field(default_factory=dict)  # number -> enterprise id

    @classmethod
    def load(cls, *, with_taken: bool = True) -> Lookups:
        lookups = cls(
            regions={
                r.code: r
                for r in Region.objects.filter(level__in=[RegionLevel.DISTRICT, RegionLevel.TOWN])
            },
            parks={p.code: p for p in Park.objects.select_related("region")},
            industries={i.code: i for i in Industry.objects.filter(level=IndustryLevel.DIVISION)},
        )
        if with_taken:
            lookups.taken_uscc = dict(Enterprise.objects.values_list("uscc", "id"))
            lookups.taken_accounts = dict(
                PowerAccount.objects.values_list("number", "enterprise_id")
            )
        return lookups


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores typed numbers ("510502") as floats
    return str(value).strip()


def split_accounts(value: str) -> list[str]:
    return [a.strip() for a in re.split(r"[;；,，\s]+", value) if a.strip()]


def clean_enterprise(
    raw: dict[str, Any],
    lookups: Lookups,
    *,
    current_id: int | None = None,
    partial: bool = False,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Clean values and errors by column key. `partial` checks only the keys present (updates)."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}

    def err(key: str, message: Any) -> None:
        errors.setdefault(key, []).append(str(message))

    for column in COLUMNS:
        if partial and column.key not in raw:
            continue
        if column.required and not _text(raw, column.key):
            err(column.key, _("This field is required."))

    if "uscc" in raw and _text(raw, "uscc"):
        code = stdnum_uscc.compact(_text(raw, "uscc"))
        try:
            values["uscc"] = stdnum_uscc.validate(code)
        except InvalidChecksum:
            err("uscc", _("The check character is wrong: %(code)s.") % {"code": code})
        except ValidationError:
            err(
                "uscc",
                _("Not a unified social credit code (18 characters): %(code)s.") % {"code": code},
            )
        else:
            owner = lookups.taken_uscc.get(values["uscc"])
            if owner is not None and owner != current_id:
                err("uscc", _("Already registered: %(code)s.") % {"code": code})

    if "name" in raw and _text(raw, "name"):
        values["name"] = _text(raw, "name")[:200]

    region = None
    if "region" in raw and _text(raw, "region"):
        region = lookups.regions.get(_text(raw, "region"))
        if region is None:
            err(
                "region",
                _("Unknown district/county or town code: %(code)s.")
                % {"code": _text(raw, "region")},
            )
        else:
            values["region"] = region

    if "park" in raw:
        park_code = _text(raw, "park")
        if not park_code:
            values["park"] = None
        else:
            park = lookups.parks.get(park_code)
            if park is None:
                err("park", _("Unknown park code: %(code)s.") % {"code": park_code})
            elif region is not None and not same_district(park.region, region):
                err(
                    "park",
                    _("Park %(park)s is not in region %(region)s.")
                    % {"park": park_code, "region": region.code},
                )
            else:
                values["park"] = park

    if "industry" in raw and _text(raw, "industry"):
        code = _text(raw, "industry").zfill(2)
        industry = lookups.industries.get(code)
        if industry is None:
            err(
                "industry",
                _("Unknown GB/T 4754 division: %(code)s.") % {"code": _text(raw, "industry")},
            )
        else:
            values["industry"] = industry

    if "above_size" in raw and _text(raw, "above_size"):
        flag = _text(raw, "above_size").lower()
        if flag in YES:
            values["above_size"] = True
        elif flag in NO:
            values["above_size"] = False
        else:
            err("above_size", _("Write yes or no."))

    if "annual_output" in raw and _text(raw, "annual_output"):
        try:
            amount = Decimal(_text(raw, "annual_output").replace(",", ""))
        except InvalidOperation:
            err(
                "annual_output",
                _("Not a number: %(value)s.") % {"value": _text(raw, "annual_output")},
            )
        else:
            if not amount.is_finite() or amount < 0 or amount > MAX_OUTPUT_WAN:
                err("annual_output", _("Must be between 0 and %(max)s.") % {"max": MAX_OUTPUT_WAN})
            else:
                values["annual_output"] = amount.quantize(Decimal("0.01"))

    if "employees" in raw and _text(raw, "employees"):
        try:
            count = int(_text(raw, "employees"))
        except ValueError:
            err(
                "employees",
                _("Not a whole number: %(value)s.") % {"value": _text(raw, "employees")},
            )
        else:
            if not 0 <= count <= MAX_EMPLOYEES:
                err("employees", _("Must be between 0 and %(max)s.") % {"max": MAX_EMPLOYEES})
            else:
                values["employees"] = count

    if "capacity_note" in raw:
        values["capacity_note"] = _text(raw, "capacity_note")

    name, phone = _text(raw, "liaison_name"), _text(raw, "liaison_phone").replace(" ", "")
    if phone and not PHONE.match(phone):
        err("liaison_phone", _("Not a phone number: %(value)s.") % {"value": phone})
    elif phone and not name:
        err("liaison_name", _("Give the liaison's name with the phone."))
    elif name:
        values["liaison"] = (name[:50], phone)
        if not phone:
            err("liaison_phone", _("Give the liaison's phone with the name."))

    if "power_accounts" in raw:
        accounts = split_accounts(_text(raw, "power_accounts"))
        for number in accounts:
            if not ACCOUNT.match(number):
                err("power_accounts", _("Not an account number: %(value)s.") % {"value": number})
            owner = lookups.taken_accounts.get(number)
            if owner is not None and owner != current_id:
                err(
                    "power_accounts",
                    _("Account %(value)s belongs to another enterprise.") % {"value": number},
                )
        if len(set(accounts)) != len(accounts):
            err("power_accounts", _("An account number is repeated."))
        values["power_accounts"] = accounts
    return values, errors


def same_district(a: Region, b: Region) -> bool:
    """Whether two regions lie in the same district/county: their paths share three codes."""
    return a.path.split("/")[:3] == b.path.split("/")[:3]
