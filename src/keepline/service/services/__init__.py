"""Writes for the service network: coverage, key projects, visits and working groups. Each checks
the actor's right, validates, changes the rows and writes the audit event in one transaction."""

from keepline.core.scopes import Actor, SystemActor


def actor_name(actor: Actor) -> str:
    """Who acted, as a row records it (assigned by, ended by, created by)."""
    return actor.name if isinstance(actor, SystemActor) else actor.get_username()
