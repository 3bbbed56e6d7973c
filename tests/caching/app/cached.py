"""Cached functions declared at import time (found by auto_discover)."""

from restflow.caching import InvalidationRule, cache_result
from tests.caching.app.models import Team

calls: list[int] = []


@cache_result(
    ttl=60,
    invalidates_on=[InvalidationRule(model=Team, field_mapping={"team_id": "id"})],
)
def team_name(team_id):
    calls.append(team_id)
    return Team.objects.get(pk=team_id).name
