"""`{{ event.action|action_label }}`: the audit event's action as the reader's language names it
(the stored field has no choices, so a new action needs no migration)."""

from django import template

from keepline.core.audit import action_label

register = template.Library()
register.filter("action_label", action_label)
