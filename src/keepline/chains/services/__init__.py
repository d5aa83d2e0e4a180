"""Writes of the supply chains: the network, the scenarios and their runs, the keep-running
ranking. Each checks the actor's right, validates, writes and audits in one transaction."""

from keepline.core.scopes import Actor, SystemActor


def actor_name(actor: Actor) -> str:
    """Who acted, as a scenario records it (created by, ran by)."""
    return actor.name if isinstance(actor, SystemActor) else actor.get_username()
