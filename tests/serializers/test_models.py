"""Model serializers, async DB validation and async saving against the real database."""

import threading

import pytest
from django.test import override_settings
from rest_framework import fields as drf_fields
from rest_framework import serializers as drf_serializers
from rest_framework.relations import PrimaryKeyRelatedField
from rest_framework.test import APIRequestFactory
from rest_framework.validators import UniqueValidator

from restflow.serializers import (
    Field,
    HyperlinkedModelSerializer,
    ModelSerializer,
    Serializer,
)
from tests.serializers.app.models import Article, Pair, RelatedModel, SampleModel, Tag

pytestmark = pytest.mark.django_db(transaction=True)


class RelatedSerializer(ModelSerializer):
    class Meta:
        model = RelatedModel
        fields = ["id", "sample_model", "name"]


class SampleSerializer(ModelSerializer):
    class Meta:
        model = SampleModel
        fields = ["id", "integer_field", "string_field", "choice_field"]


class ArticleSerializer(ModelSerializer):
    class Meta:
        model = Article
        fields = ["id", "title", "body", "tags"]


# --- async DB validation ------------------------------------------------------------


async def test_fk_resolves_and_saves():
    """Z-SER-129"""
    parent = await SampleModel.objects.acreate(integer_field=1)
    s = RelatedSerializer(data={"sample_model": parent.pk, "name": "child"})
    assert await s.ais_valid(raise_exception=True)
    assert s.validated_data["sample_model"] == parent
    obj = await s.asave()
    assert obj.sample_model_id == parent.pk
    assert await RelatedModel.objects.filter(sample_model_id=parent.pk).aexists()


async def test_unknown_fk():
    """Z-SER-130"""
    s = RelatedSerializer(data={"sample_model": 999_999, "name": "x"})
    assert not await s.ais_valid()
    assert "sample_model" in s.errors
    assert s.errors["sample_model"] == ['Invalid pk "999999" - object does not exist.']


async def test_unique_validator():
    """Z-SER-131"""
    await Tag.objects.acreate(name="red")

    class S(Serializer):
        name: str = Field(validators=[UniqueValidator(queryset=Tag.objects.all())])

    s = S(data={"name": "red"})
    assert not await s.ais_valid()
    assert "name" in s.errors
    assert await S(data={"name": "blue"}).ais_valid()


async def test_unique_together():
    """Z-SER-132"""
    await Pair.objects.acreate(left=1, right=2)

    class S(ModelSerializer):
        class Meta:
            model = Pair
            fields = ["left", "right"]

    s = S(data={"left": 1, "right": 2})
    assert not await s.ais_valid()
    assert "non_field_errors" in s.errors
    assert await S(data={"left": 2, "right": 2}).ais_valid()


async def test_list_of_related_fields():
    """Z-SER-133 W-06"""
    first = await SampleModel.objects.acreate()
    second = await SampleModel.objects.acreate()

    class S(Serializer):
        ids = drf_fields.ListField(child=PrimaryKeyRelatedField(queryset=SampleModel.objects.all()))

    class WithAsyncHook(S):
        async def validate_ids(self, value):
            return value

    for serializer_class in (S, WithAsyncHook):
        s = serializer_class(data={"ids": [first.pk, second.pk]})
        assert await s.ais_valid(), s.errors
        assert s.validated_data["ids"] == [first, second]
        s = serializer_class(data={"ids": [first.pk, 999_999]})
        assert not await s.ais_valid()
        assert "ids" in s.errors


async def test_optional_nested_related_in_list():
    """W-06: `list[S | None]` with a related field inside S is validated off the loop."""

    class Inner(Serializer):
        ref = PrimaryKeyRelatedField(queryset=SampleModel.objects.all())

    class S(Serializer):
        xs: list[Inner | None]

        async def validate_xs(self, value):
            return value

    obj = await SampleModel.objects.acreate()
    s = S(data={"xs": [{"ref": obj.pk}, None]})
    assert await s.ais_valid(), s.errors
    assert s.validated_data["xs"][0]["ref"] == obj


@override_settings(ROOT_URLCONF="tests.serializers.app.urls")
async def test_hyperlinked_validation():
    """Z-SER-134"""

    class S(HyperlinkedModelSerializer):
        class Meta:
            model = SampleModel
            fields = ["url", "integer_field"]
            extra_kwargs = {"url": {"view_name": "samplemodel-detail"}}

    s = S(data={"integer_field": 7}, context={"request": None})
    assert await s.ais_valid(), s.errors
    assert s.validated_data == {"integer_field": 7}


# --- asave / acreate / aupdate ------------------------------------------------------


async def test_acreate_and_aupdate_overrides():
    """Z-SER-135"""

    class S(Serializer):
        name: str

        async def acreate(self, validated_data):
            return {"acreated": validated_data["name"]}

        async def aupdate(self, instance, validated_data):
            return {"aupdated": instance, **validated_data}

    s = S(data={"name": "x"})
    assert await s.ais_valid()
    assert await s.asave() == {"acreated": "x"}
    s = S("old", data={"name": "y"})
    assert await s.ais_valid()
    assert await s.asave() == {"aupdated": "old", "name": "y"}


async def test_sync_create_runs_in_thread():
    """Z-SER-136 W-08"""
    loop_thread = threading.get_ident()

    class S(Serializer):
        integer_field: int

        def create(self, validated_data):
            self.thread = threading.get_ident()
            return SampleModel.objects.create(**validated_data)

        def update(self, instance, validated_data):
            instance.integer_field = validated_data["integer_field"]
            instance.save()
            return instance

    s = S(data={"integer_field": 4})
    assert await s.ais_valid()
    obj = await s.asave()
    assert s.thread != loop_thread
    assert await SampleModel.objects.filter(pk=obj.pk, integer_field=4).aexists()
    s = S(obj, data={"integer_field": 5})
    assert await s.ais_valid()
    await s.asave()
    await obj.arefresh_from_db()
    assert obj.integer_field == 5


async def test_plain_serializer_without_create():
    """Z-SER-137"""

    class S(Serializer):
        a: int

    s = S(data={"a": 1})
    assert await s.ais_valid()
    with pytest.raises(NotImplementedError, match="create"):
        await s.asave()
    s = S("instance", data={"a": 1})
    assert await s.ais_valid()
    with pytest.raises(NotImplementedError, match="update"):
        await s.asave()


async def test_super_acreate_and_aupdate():
    """Z-SER-138"""

    class S(Serializer):
        a: int

        async def acreate(self, validated_data):
            return await super().acreate(validated_data)

        async def aupdate(self, instance, validated_data):
            return await super().aupdate(instance, validated_data)

    s = S(data={"a": 1})
    assert await s.ais_valid()
    with pytest.raises(NotImplementedError, match="acreate"):
        await s.asave()
    s = S("x", data={"a": 1})
    assert await s.ais_valid()
    with pytest.raises(NotImplementedError, match="aupdate"):
        await s.asave()


async def test_acreate_returning_none():
    """Z-SER-139"""

    class S(Serializer):
        a: int

        async def acreate(self, validated_data):
            return None

    s = S(data={"a": 1})
    assert await s.ais_valid()
    with pytest.raises(AssertionError) as info:
        await s.asave()
    assert str(info.value) == "`acreate()` did not return an object instance."


async def test_asave_kwargs_and_preconditions():
    """Z-SER-140"""

    class S(Serializer):
        a: int

        async def acreate(self, validated_data):
            self.received = validated_data
            return validated_data

    s = S(data={"a": 1})
    with pytest.raises(AssertionError) as info:
        await s.asave()
    assert str(info.value) == (
        "You must call `.ais_valid()` (or `.is_valid()`) before calling `.asave()`."
    )
    assert await s.ais_valid()
    with pytest.raises(AssertionError) as info:
        await s.asave(commit=False)
    assert str(info.value) == "'commit' is not a valid keyword argument to the 'asave()' method."
    await s.asave(extra="stamp")
    assert s.received == {"a": 1, "extra": "stamp"}
    s = S(data={"a": 1})
    assert await s.ais_valid()
    s.data  # noqa: B018
    with pytest.raises(AssertionError) as info:
        await s.asave()
    assert str(info.value) == "You cannot call `.asave()` after accessing `serializer.data`."
    s = S(data={})
    assert not await s.ais_valid()
    with pytest.raises(AssertionError) as info:
        await s.asave()
    assert str(info.value) == "You cannot call `.asave()` on a serializer with invalid data."


async def test_async_update_without_aupdate():
    """Z-SER-141"""

    class S(Serializer):
        a: int

        async def update(self, instance, validated_data):
            return {"async update": instance}

    s = S("obj", data={"a": 1})
    assert await s.ais_valid()
    assert await s.asave() == {"async update": "obj"}


async def test_model_default_acreate_aupdate():
    """Z-SER-142"""
    s = SampleSerializer(data={"integer_field": 3, "string_field": "s"})
    assert await s.ais_valid()
    obj = await s.asave()
    assert await SampleModel.objects.filter(pk=obj.pk, integer_field=3).aexists()
    s = SampleSerializer(obj, data={"integer_field": 9, "string_field": "t"})
    assert await s.ais_valid()
    await s.asave()
    await obj.arefresh_from_db()
    assert (obj.integer_field, obj.string_field) == (9, "t")


async def test_model_default_m2m():
    """Z-SER-143"""
    red = await Tag.objects.acreate(name="red")
    blue = await Tag.objects.acreate(name="blue")
    green = await Tag.objects.acreate(name="green")
    s = ArticleSerializer(data={"title": "t", "body": "b", "tags": [red.pk, blue.pk]})
    assert await s.ais_valid(), s.errors
    article = await s.asave()
    names = sorted([tag.name async for tag in article.tags.all()])
    assert names == ["blue", "red"]
    s = ArticleSerializer(article, data={"title": "t", "tags": [green.pk]}, partial=True)
    assert await s.ais_valid(), s.errors
    await s.asave()
    assert [tag.name async for tag in article.tags.all()] == ["green"]


async def test_model_sync_create_override_is_honoured():
    """Z-SER-144 W-07"""

    class S(ModelSerializer):
        class Meta:
            model = SampleModel
            fields = ["integer_field", "string_field"]

        def create(self, validated_data):
            validated_data["string_field"] = "hashed:" + validated_data["string_field"]
            return super().create(validated_data)

        def update(self, instance, validated_data):
            validated_data["string_field"] = "updated"
            return super().update(instance, validated_data)

    s = S(data={"integer_field": 1, "string_field": "secret"})
    assert await s.ais_valid()
    obj = await s.asave()
    await obj.arefresh_from_db()
    assert obj.string_field == "hashed:secret"
    s = S(obj, data={"integer_field": 2, "string_field": "x"})
    assert await s.ais_valid()
    await s.asave()
    await obj.arefresh_from_db()
    assert obj.string_field == "updated"


async def test_ato_representation():
    """Z-SER-145"""

    class Async(Serializer):
        a: int

        async def to_representation(self, instance):
            return {"async": instance["a"]}

    class Sync(Serializer):
        a: int

    assert await Async().ato_representation({"a": 1}) == {"async": 1}
    assert await Sync().ato_representation({"a": "2"}) == Sync().to_representation({"a": "2"})


async def test_sync_data_with_async_representation_is_refused():
    """W-21: a clear error instead of "'coroutine' object is not iterable"."""

    class Async(Serializer):
        a: int

        async def to_representation(self, instance):
            return {"a": 1}

    with pytest.raises(TypeError, match="ato_representation"):
        Async({"a": 1}).data  # noqa: B018
    assert await Async({"a": 1}).adata == {"a": 1}


async def test_adata_renders_related_fields_off_the_loop():
    """Async serialization of related and nested fields never hits the ORM on the loop."""
    parent = await SampleModel.objects.acreate(integer_field=2, string_field="p")
    await RelatedModel.objects.acreate(sample_model=parent, name="c1")
    await RelatedModel.objects.acreate(sample_model=parent, name="c2")

    class ChildSerializer(ModelSerializer):
        class Meta:
            model = RelatedModel
            fields = ["name", "sample_model"]

    class ParentSerializer(ModelSerializer):
        related = ChildSerializer(many=True, read_only=True)
        label = drf_serializers.SerializerMethodField()

        class Meta:
            model = SampleModel
            fields = ["id", "integer_field", "related", "label"]

        def get_label(self, obj):
            return obj.related.count()

    data = await ParentSerializer(parent).adata
    assert [child["name"] for child in data["related"]] == ["c1", "c2"]
    assert data["label"] == 2
    rows = await ParentSerializer(SampleModel.objects.all(), many=True).adata
    assert rows[0]["related"][0]["sample_model"] == parent.pk


# --- ModelSerializer ----------------------------------------------------------------


def test_model_fields_render():
    """Z-SER-146"""
    obj = SampleModel.objects.create(integer_field=5, string_field="s")

    class S(ModelSerializer):
        class Meta:
            model = SampleModel
            fields = ["id", "integer_field", "string_field"]

    assert S(obj).data == {"id": obj.pk, "integer_field": 5, "string_field": "s"}


def test_annotation_appended_to_meta_fields():
    """Z-SER-147"""

    class S(ModelSerializer):
        extra: str = Field(write_only=True)

        class Meta:
            model = SampleModel
            fields = ["id", "integer_field"]

    assert "extra" in S.Meta.fields
    s = S(data={"integer_field": 1, "extra": "e"})
    assert s.is_valid(), s.errors
    assert s.validated_data["extra"] == "e"


def test_annotation_replaces_model_field():
    """Z-SER-148"""

    class S(ModelSerializer):
        integer_field: str

        class Meta:
            model = SampleModel
            fields = ["integer_field"]

    class T(ModelSerializer):
        integer_field: int

        class Meta:
            model = SampleModel
            fields = ["integer_field"]

    assert type(S().fields["integer_field"]) is drf_fields.CharField
    assert "integer_field" in T._declared_fields


def test_meta_fields_shapes():
    """Z-SER-149"""

    class NoFields(ModelSerializer):
        extra: str

        class Meta:
            model = SampleModel
            exclude = ["string_field"]

    class All(ModelSerializer):
        extra: str

        class Meta:
            model = SampleModel
            fields = "__all__"

    class SetFields(ModelSerializer):
        extra: str

        class Meta:
            model = SampleModel
            fields = {"integer_field"}

    class TupleFields(ModelSerializer):
        extra: str

        class Meta:
            model = SampleModel
            fields = ("integer_field",)

    assert not hasattr(NoFields.Meta, "fields")
    assert All.Meta.fields == "__all__"
    assert SetFields.Meta.fields == {"integer_field"}
    assert TupleFields.Meta.fields == ("integer_field", "extra")
    assert "extra" in NoFields().fields
    assert "extra" in All().fields


def test_subclass_inheriting_meta():
    """Z-SER-150 W-10"""

    class Parent(ModelSerializer):
        class Meta:
            model = SampleModel
            fields = ["integer_field"]

    class Child(Parent):
        another: str

    assert "another" in Child().fields
    assert Parent.Meta.fields == ["integer_field"]
    assert Child.Meta.fields == ["integer_field", "another"]


def test_shared_meta():
    """Z-SER-151 W-10"""

    class CommonMeta:
        model = SampleModel
        fields = ["integer_field"]

    class A(ModelSerializer):
        a1: str
        Meta = CommonMeta

    class B(ModelSerializer):
        b1: str
        Meta = CommonMeta

    assert set(A().fields) == {"integer_field", "a1"}
    assert set(B().fields) == {"integer_field", "b1"}
    assert CommonMeta.fields == ["integer_field"]


def test_extra_kwargs_only_for_model_fields():
    """Z-SER-152"""

    class S(ModelSerializer):
        note: str = Field(required=False)

        class Meta:
            model = SampleModel
            fields = ["integer_field", "string_field"]
            extra_kwargs = {"string_field": {"read_only": True}, "note": {"read_only": True}}
            read_only_fields = ["note"]

    s = S(data={"integer_field": 1, "string_field": "s", "note": "n"})
    assert s.is_valid(), s.errors
    assert "string_field" not in s.validated_data
    assert s.validated_data["note"] == "n"


def test_partial_update_keeps_columns():
    """Z-SER-153"""
    obj = SampleModel.objects.create(integer_field=1, string_field="keep")
    s = SampleSerializer(obj, data={"integer_field": 2}, partial=True)
    assert s.is_valid()
    s.save()
    obj.refresh_from_db()
    assert (obj.integer_field, obj.string_field) == (2, "keep")


def test_invalid_model_choice():
    """Z-SER-154"""
    s = SampleSerializer(data={"integer_field": 1, "choice_field": "zzz"})
    assert not s.is_valid()
    assert "choice_field" in s.errors


def test_model_save_creates_row():
    """Z-SER-155"""
    s = SampleSerializer(data={"integer_field": 42, "string_field": "row"})
    assert s.is_valid()
    obj = s.save()
    assert SampleModel.objects.filter(pk=obj.pk, integer_field=42, string_field="row").exists()


# --- Hyperlinked --------------------------------------------------------------------


class HyperSample(HyperlinkedModelSerializer):
    extra: str = Field(write_only=True, default="x")

    class Meta:
        model = SampleModel
        fields = ["url", "integer_field"]
        extra_kwargs = {"url": {"view_name": "samplemodel-detail"}}


@override_settings(ROOT_URLCONF="tests.serializers.app.urls")
def test_hyperlinked_url():
    """Z-SER-156"""
    obj = SampleModel.objects.create(integer_field=3)
    request = APIRequestFactory().get("/")
    data = HyperSample(obj, context={"request": request}).data
    assert data["url"].endswith(f"/samplemodel-detail/{obj.pk}/")
    assert data["url"].startswith("http://")


def test_hyperlinked_annotation_appended():
    """Z-SER-157"""
    assert HyperSample.Meta.fields == ["url", "integer_field", "extra"]
    obj = SampleModel(pk=1, integer_field=3)
    with override_settings(ROOT_URLCONF="tests.serializers.app.urls"):
        data = HyperSample(obj, context={"request": None}).data
    assert "extra" not in data


def test_hyperlinked_errors_and_relative_rendering():
    """Z-SER-158"""
    s = HyperSample(data={"integer_field": "x"}, context={"request": None})
    assert not s.is_valid()
    assert "integer_field" in s.errors

    class Named(HyperlinkedModelSerializer):
        class Meta:
            model = RelatedModel
            fields = ["name"]

    assert Named(RelatedModel(name="n"), context={"request": None}).data == {"name": "n"}


async def test_default_acreate_explains_type_error():
    """W-11: the default acreate keeps DRF's explanation of a TypeError."""

    class S(ModelSerializer):
        not_a_column: str

        class Meta:
            model = SampleModel
            fields = ["integer_field"]

    s = S(data={"integer_field": 1, "not_a_column": "x"})
    assert await s.ais_valid()
    with pytest.raises(
        TypeError, match=r"Got a `TypeError` when calling `SampleModel\.objects\.acreate\(\)`"
    ):
        await s.asave()


def test_async_orm_floor():
    """W-11: restflow-core requires a Django with the async ORM the defaults use."""
    from importlib.metadata import requires

    requirements = [r for r in requires("restflow-core") or [] if r.lower().startswith("django")]
    assert any(">=4.2" in r for r in requirements), requirements


def _count_rows(value):
    # A sync validator that uses the ORM: it must never run on the event loop.
    if SampleModel.objects.filter(integer_field=value).exists():
        raise drf_serializers.ValidationError("taken")


class SampleByNumber(drf_fields.IntegerField):
    """A project field class whose parsing queries the database."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return SampleModel.objects.filter(integer_field=value).first()


class PlainInner(drf_serializers.Serializer):
    n = drf_fields.IntegerField()

    def validate_n(self, value):
        return value + SampleModel.objects.count()


def _sample_count():
    return SampleModel.objects.count()


@pytest.mark.parametrize("with_async_hook", [False, True])
async def test_user_code_in_fields_runs_off_the_loop(with_async_hook):
    """W-04: sync validators, project field classes, callable defaults and plain DRF nested
    serializers are user code: the async path runs them in a worker thread."""
    await SampleModel.objects.acreate(integer_field=3)

    class S(Serializer):
        a: int = Field(validators=[_count_rows])
        sample = SampleByNumber()
        plain = PlainInner()
        count: int = Field(default=_sample_count)

    class WithHook(S):
        async def validate_a(self, value):
            return value

    serializer_class = WithHook if with_async_hook else S
    s = serializer_class(data={"a": 4, "sample": 3, "plain": {"n": 1}})
    assert await s.ais_valid(), s.errors
    assert s.validated_data.sample.integer_field == 3
    assert s.validated_data.plain == {"n": 2}
    assert s.validated_data.count == 1
    s = serializer_class(data={"a": 3, "sample": 3, "plain": {"n": 1}})
    assert not await s.ais_valid()
    assert s.errors == {"a": ["taken"]}


async def test_model_validators_and_meta_validators_off_the_loop():
    """W-04: serializer-level sync validators using the ORM run in a worker thread."""

    def no_duplicates(attrs):
        if SampleModel.objects.filter(integer_field=attrs["integer_field"]).exists():
            raise drf_serializers.ValidationError("duplicate")

    class S(ModelSerializer):
        class Meta:
            model = SampleModel
            fields = ["integer_field"]
            validators = [no_duplicates]

    await SampleModel.objects.acreate(integer_field=8)
    s = S(data={"integer_field": 8})
    assert not await s.ais_valid()
    assert s.errors == {"non_field_errors": ["duplicate"]}
    assert await S(data={"integer_field": 9}).ais_valid()


async def test_async_database_validators():
    """Async validators may use the async ORM; they are awaited on the loop."""

    async def tag_must_not_exist(value):
        if await Tag.objects.filter(name=value).aexists():
            raise drf_serializers.ValidationError("tag exists")

    async def title_free(attrs):
        if await Article.objects.filter(title=attrs["title"]).aexists():
            raise drf_serializers.ValidationError({"title": "title taken"})

    class S(Serializer):
        tag: str = Field(validators=[tag_must_not_exist])
        title: str

        class Meta:
            validators = [title_free]

    await Tag.objects.acreate(name="red")
    await Article.objects.acreate(title="t")
    s = S(data={"tag": "red", "title": "x"})
    assert not await s.ais_valid()
    assert s.errors == {"tag": ["tag exists"]}
    s = S(data={"tag": "blue", "title": "t"})
    assert not await s.ais_valid()
    assert s.errors == {"title": ["title taken"]}
    assert await S(data={"tag": "blue", "title": "u"}).ais_valid()
