"""A response serializer that would change nothing is not built; it is built when asked for.

Building a DRF serializer (two ``Field.__init__`` runs for a list) costs more than reading
20 plain rows. An async view reads the rows straight from the class when the class shares
its read plan and its constructors, ``.data`` and ``to_representation`` are DRF's (W16).
``response.data.serializer`` is then built on first access, as the view would have built it.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from unittest import mock

import pytest
from rest_framework import fields, serializers
from rest_framework.test import APIRequestFactory
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from restflow.views import AsyncAPIView
from tests.core.views.conftest import call

rf = APIRequestFactory()


@dataclasses.dataclass
class Row:
    id: int
    title: str


ROWS = [Row(1, "one"), Row(2, "two")]
EXPECTED = [{"id": 1, "title": "one"}, {"id": 2, "title": "two"}]


class RowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class Rows(AsyncAPIView):
    authentication_classes: list = []
    permission_classes: list = []
    serializer_class = RowSerializer
    many = True
    rows: object = ROWS

    async def get(self, request):
        return await self.aserialized_response(self.rows, many=self.many)


@pytest.fixture
def built(monkeypatch):
    """How many DRF fields (serializers included) are built."""
    count = {"fields": 0}
    init = fields.Field.__init__

    def counting(self, *args, **kwargs):
        count["fields"] += 1
        init(self, *args, **kwargs)

    monkeypatch.setattr(fields.Field, "__init__", counting)
    return count


def _get(view, **initkwargs):
    response = call(view.as_view(**initkwargs), rf.get("/"))
    assert response.status_code == 200, response.content
    return response


def test_w16_a_plain_list_is_read_without_building_its_serializer(built):
    """W16: no field is built, and the body is DRF's."""
    _get(Rows)  # the class's plan is built once, on a bare instance
    built["fields"] = 0
    response = _get(Rows)
    assert json.loads(response.content) == EXPECTED
    assert built["fields"] == 0
    assert isinstance(response.data, ReturnList)
    assert response.data == RowSerializer(ROWS, many=True).data


def test_w16_data_serializer_is_built_on_first_access_as_the_view_builds_it(built):
    """W16: ``data.serializer`` is the list serializer the view would build, holding the data."""
    response = _get(Rows)
    serializer = response.data.serializer
    assert isinstance(serializer, serializers.ListSerializer)
    assert isinstance(serializer.child, RowSerializer)
    assert serializer.instance is ROWS
    assert serializer.context["view"] is response.renderer_context["view"]
    assert serializer.context["request"] is response.renderer_context["request"]
    assert response.data.serializer is serializer  # built once
    fields_built = built["fields"]
    assert serializer.data == EXPECTED
    assert built["fields"] == fields_built  # ``.data`` is the one already read


def test_w16_one_object_gives_a_return_dict_with_its_serializer():
    response = _get(Rows, many=False, rows=ROWS[0])
    assert json.loads(response.content) == EXPECTED[0]
    assert isinstance(response.data, ReturnDict)
    assert type(response.data.serializer) is RowSerializer
    assert response.data.serializer.instance is ROWS[0]


def test_w16_unbuilt_data_copies_merges_and_pickles_as_drfs_does():
    data = _get(Rows, many=False, rows=ROWS[0]).data
    merged = data | {"extra": 1}
    assert merged == {**EXPECTED[0], "extra": 1}
    assert merged.serializer is data.serializer
    assert data.copy().serializer is data.serializer
    assert pickle.loads(pickle.dumps(data)) == EXPECTED[0]
    assert type(pickle.loads(pickle.dumps(data))) is dict
    assert copy.deepcopy(_get(Rows).data) == EXPECTED
    with pytest.raises(AttributeError):
        data.no_such_attribute  # noqa: B018


class OwnInit(RowSerializer):
    def __init__(self, *args, **kwargs):
        kwargs["context"] = {**kwargs.get("context", {}), "seen": True}
        super().__init__(*args, **kwargs)


class OwnRepresentation(RowSerializer):
    def to_representation(self, instance):
        return {"id": instance.id}


class OwnListRepresentation(serializers.ListSerializer):
    def to_representation(self, data):
        return [{"id": row.id} for row in data]


class OwnList(RowSerializer):
    class Meta:
        list_serializer_class = OwnListRepresentation


class OwnManyInit(RowSerializer):
    @classmethod
    def many_init(cls, *args, **kwargs):
        kwargs["child"] = cls()
        return OwnListRepresentation(*args, **kwargs)


class Calling(type(RowSerializer)):
    def __call__(cls, *args, **kwargs):
        serializer = super().__call__(*args, **kwargs)
        serializer.called = True
        return serializer


class OwnMetaclassCall(RowSerializer, metaclass=Calling):
    pass


@pytest.mark.parametrize(
    ("serializer_class", "body"),
    [
        (OwnInit, EXPECTED),
        (OwnRepresentation, [{"id": 1}, {"id": 2}]),
        (OwnList, [{"id": 1}, {"id": 2}]),
        (OwnManyInit, [{"id": 1}, {"id": 2}]),
        (OwnMetaclassCall, EXPECTED),
    ],
    ids=["__init__", "to_representation", "list_serializer_class", "many_init", "metaclass"],
)
def test_w16_a_serializer_with_code_of_its_own_is_built(built, serializer_class, body):
    """W16: a user's constructor, representation or list class runs, as in DRF."""
    response = _get(Rows, serializer_class=serializer_class)
    assert json.loads(response.content) == body
    assert built["fields"] > 0
    assert type(response.data) is ReturnList  # DRF's own, from the built serializer


def test_w16_a_representation_patched_in_after_the_first_read_is_called():
    """A test's ``mock.patch.object`` of ``to_representation`` takes effect at once."""

    class Patched(RowSerializer):
        pass

    _get(Rows, serializer_class=Patched)  # read from the class, and remembered
    with mock.patch.object(Patched, "to_representation", return_value={"id": 0}):
        response = _get(Rows, serializer_class=Patched)
    assert json.loads(response.content) == [{"id": 0}, {"id": 0}]
    assert json.loads(_get(Rows, serializer_class=Patched).content) == EXPECTED


def test_w16_a_users_serializer_hook_on_the_view_builds_the_serializer(built):
    class Hooked(Rows):
        def get_serializer_context(self):
            return {**super().get_serializer_context(), "hooked": True}

    response = _get(Hooked)
    assert json.loads(response.content) == EXPECTED
    assert response.data.serializer.context["hooked"] is True
    assert built["fields"] > 0


def test_w16_a_dict_missing_a_key_is_read_by_the_built_serializer():
    """DRF's rules for a missing key (a default, or a skipped field) need the fields."""

    class WithDefault(RowSerializer):
        title = serializers.CharField(default="untitled")

    response = _get(Rows, serializer_class=WithDefault, rows=[{"id": 3}])
    assert json.loads(response.content) == [{"id": 3, "title": "untitled"}]
    assert type(response.data) is ReturnList


def test_w16_a_list_that_is_not_a_list_is_read_by_the_built_serializer():
    response = _get(Rows, rows=(row for row in ROWS))
    assert json.loads(response.content) == EXPECTED
    assert type(response.data) is ReturnList
