"""Fixtures of the filter tests: sample rows and request helpers."""

from __future__ import annotations

import pytest


@pytest.fixture
def samples(db):
    from tests.filters.app.models import Sample

    return [
        Sample.objects.create(integer_field=10, string_field="test1", choice_field="a"),
        Sample.objects.create(integer_field=20, string_field="test2", choice_field="b"),
        Sample.objects.create(integer_field=30, string_field="test3", choice_field="c"),
    ]
