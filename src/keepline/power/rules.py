"""Who may do what with power alerts, beyond what `core.scopes` decides per object."""

from __future__ import annotations

from keepline.core.models import User
from keepline.core.scopes import may_place, visible
from keepline.enterprises.models import Enterprise
from keepline.power.models import PowerAlert


def may_see_by_role(user: User, enterprise: Enterprise) -> bool:
    """Whether the user's roles reach this enterprise's alerts, assignment aside."""
    return (
        user.is_active
        and visible(Enterprise.objects.filter(pk=enterprise.pk), user).exists()
        and may_place(
            user,
            "view",
            PowerAlert,
            region=enterprise.region,
            park=enterprise.park,
            enterprise=enterprise,
        )
    )
