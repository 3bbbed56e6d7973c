"""Imported by the worker's ``auto_discover`` and, scoped to a test, by the test process:
the same module, function and model give both processes the same rule id."""

from django.contrib.auth.models import Group

from restflow.caching import InvalidationRule, cache_result


@cache_result(
    ttl=300,
    invalidates_on=[
        InvalidationRule(model=Group, field_mapping={"group_id": "id"}, dispatcher="dramatiq")
    ],
)
def group_name(group_id):
    return Group.objects.get(pk=group_id).name
