"""``InlineSerializer`` (§10)."""

import pickle
from typing import Optional

import pytest
from rest_framework import fields as drf_fields
from rest_framework import serializers as drf_serializers

from restflow.serializers import (
    Email,
    Field,
    InlineSerializer,
    ModelSerializer,
    NotRequired,
    Serializer,
)
from tests.serializers.app.models import SampleModel

Pickled = InlineSerializer(name="Pickled", fields={"a": int})


def test_plain_mode():
    """Z-SER-159"""
    S = InlineSerializer(name="MyS", fields={"name": str, "age": int, "email": Email})
    assert isinstance(S, type)
    assert issubclass(S, Serializer)
    assert S.__name__ == "MyS"
    s = S(data={"name": "Ada", "age": "36", "email": "ada@example.com"})
    assert s.is_valid(), s.errors
    assert s.validated_data == {"name": "Ada", "age": 36, "email": "ada@example.com"}
    assert not S(data={"name": "Ada", "age": "x", "email": "nope"}).is_valid()


def test_field_instances_used_as_is():
    """Z-SER-160"""
    S = InlineSerializer(
        fields={
            "secret": drf_fields.CharField(write_only=True),
            "n": drf_fields.IntegerField(min_value=0),
            "name": str,
        }
    )
    assert S().fields["secret"].write_only is True
    assert not S(data={"secret": "s", "n": -1, "name": "x"}).is_valid()
    s = S(data={"secret": "s", "n": 1, "name": "x"})
    assert s.is_valid()
    assert S({"secret": "s", "n": 1, "name": "x"}).data == {"n": 1, "name": "x"}


def test_default_names():
    """Z-SER-161"""
    assert InlineSerializer(fields={"a": int}).__name__ == "_Serializer"
    assert InlineSerializer(model=SampleModel).__name__ == "SampleModelSerializer"
    assert InlineSerializer(name="Foo", model=SampleModel).__name__ == "Foo"


def test_nothing_given():
    """Z-SER-162"""
    with pytest.raises(ValueError, match="model") as info:
        InlineSerializer()
    assert str(info.value) == "Either `model` or `fields` must be provided."
    with pytest.raises(ValueError, match="model"):
        InlineSerializer(fields={})


@pytest.mark.django_db
def test_model_mode_with_model_fields():
    """Z-SER-163"""
    S = InlineSerializer(model=SampleModel, model_fields=["integer_field", "string_field"])
    assert issubclass(S, ModelSerializer)
    s = S(data={"integer_field": 3, "string_field": "x"})
    assert s.is_valid(), s.errors
    obj = s.save()
    assert SampleModel.objects.filter(pk=obj.pk, integer_field=3).exists()


def test_meta_fields_defaults():
    """Z-SER-164"""
    S = InlineSerializer(model=SampleModel)
    assert S.Meta.fields == "__all__"
    assert {"id", "integer_field", "string_field"} <= set(S().fields)
    E = InlineSerializer(model=SampleModel, fields={"extra": str})
    assert E.Meta.fields == ["extra"]


def test_read_write_only_and_extra_kwargs():
    """Z-SER-165"""
    S = InlineSerializer(
        model=SampleModel,
        model_fields=["integer_field", "string_field"],
        write_only_fields=["string_field"],
    )
    assert S().fields["string_field"].write_only is True
    R = InlineSerializer(
        model=SampleModel, model_fields=["integer_field"], read_only_fields=["integer_field"]
    )
    assert R().fields["integer_field"].read_only is True
    X = InlineSerializer(
        model=SampleModel,
        model_fields=["integer_field"],
        extra_kwargs={"integer_field": {"min_value": 0}},
    )
    assert not X(data={"integer_field": -1}).is_valid()


def test_read_only_wins_over_extra_kwargs():
    """Z-SER-166"""
    S = InlineSerializer(
        model=SampleModel,
        model_fields=["integer_field"],
        extra_kwargs={"integer_field": {"read_only": False, "help_text": "h"}},
        read_only_fields=["integer_field"],
    )
    assert S.Meta.extra_kwargs == {"integer_field": {"read_only": True, "help_text": "h"}}
    field = S().fields["integer_field"]
    assert field.read_only is True
    assert field.help_text == "h"


def test_nested_and_optional_values():
    """Z-SER-167"""
    Other = InlineSerializer(name="Other", fields={"v": int})
    S = InlineSerializer(
        fields={
            "x": Other,
            "z": list[Other],
            "o": Optional[int],  # noqa: UP045 - the spelling under test
            "n": NotRequired[str],
        }
    )
    fields = S().fields
    assert isinstance(fields["x"], Other)
    assert isinstance(fields["z"], drf_serializers.ListSerializer)
    assert (fields["o"].allow_null, fields["o"].required) == (True, False)
    assert (fields["n"].required, fields["n"].allow_null) == (False, False)
    s = S(data={"x": {"v": 1}, "z": [{"v": 2}]})
    assert s.is_valid(), s.errors


def test_unsupported_value():
    """Z-SER-168"""
    with pytest.raises(AssertionError, match="annotation must be a supported type"):
        InlineSerializer(fields={"x": set})
    with pytest.raises(AssertionError, match="annotation must be a supported type"):
        InlineSerializer(fields={"x": Field(required=False)})


def test_inline_input_handling():
    """Z-SER-169 W-10b W-22"""
    S = InlineSerializer(model=SampleModel, model_fields="__all__")
    assert S.Meta.fields == "__all__"
    assert "integer_field" in S().fields
    with pytest.raises(TypeError):
        InlineSerializer(model=SampleModel, model_fields="integer_field")
    E = InlineSerializer(model=SampleModel, model_fields=["integer_field"], fields={"extra": str})
    assert E.Meta.fields == ["integer_field", "extra"]
    assert set(E().fields) == {"integer_field", "extra"}
    with pytest.raises(TypeError):
        InlineSerializer(fields=[("a", int)])
    with pytest.warns(UserWarning, match="read_only_fields"):
        InlineSerializer(fields={"a": int}, read_only_fields=["a"])
    assert S.__module__ == __name__
    assert S.__qualname__ == S.__name__
    assert pickle.loads(pickle.dumps(Pickled)) is Pickled


@pytest.mark.django_db(transaction=True)
async def test_inline_round_trip_in_views():
    """Z-SER-170 (serializer side; the HTTP round trips are in test_views.py)"""
    Request = InlineSerializer(fields={"integer_field": int})
    Response = InlineSerializer(model=SampleModel, model_fields=["id", "integer_field"])
    s = Request(data={"integer_field": 11})
    assert await s.ais_valid(raise_exception=True)
    out = Response(data=dict(s.validated_data))
    assert await out.ais_valid(raise_exception=True)
    obj = await out.asave()
    assert (await Response(obj).adata)["integer_field"] == 11


def test_inline_anonymous_flag():
    """Z-SER-199"""
    plain = InlineSerializer(fields={"a": int})
    model = InlineSerializer(model=SampleModel, fields={"a": int})
    named = InlineSerializer(name="X", fields={"a": int})
    assert plain.inline_anonymous is True
    assert model.inline_anonymous is True
    assert named.inline_anonymous is False
    assert "inline_anonymous" not in plain().fields
