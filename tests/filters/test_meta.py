"""Meta options (filters.md §2.3)."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldDoesNotExist

from restflow.filters import FilterSet, IntegerField, StringField
from tests.filters.app.models import AbstractThing, Sample
from tests.filters.helpers import qd


def names(cls):
    return list(cls().fields)


def test_bad_operator():
    """F-META-001"""
    with pytest.raises(ValueError, match="Operator must be one of AND, OR, XOR"):

        class F(FilterSet):
            class Meta:
                operator = "INVALID"


def test_operator_upper_cased():
    """F-META-002"""

    class F(FilterSet):
        class Meta:
            operator = "or"

    assert F().get_options().operator == "OR"


def test_all_model_fields():
    """F-META-003"""

    class F(FilterSet):
        class Meta:
            model = Sample
            fields = "__all__"

    assert {"integer_field", "string_field", "boolean_field"} <= set(names(F))


def test_listed_model_fields():
    """F-META-004"""

    class F(FilterSet):
        class Meta:
            model = Sample
            fields = ["integer_field", "string_field"]

    assert "boolean_field" not in names(F)
    assert "integer_field" in names(F)


def test_exclude():
    """F-META-005"""

    class F(FilterSet):
        class Meta:
            model = Sample
            fields = "__all__"
            exclude = ["integer_field"]

    assert "integer_field" not in names(F)
    assert "string_field" in names(F)


def test_fields_without_model():
    """F-META-006"""

    class A(FilterSet):
        x: int

        class Meta:
            fields = ["integer_field"]

    class B(FilterSet):
        x: int

        class Meta:
            fields = "__all__"

    assert names(A) == ["x", "x!"]
    assert names(B) == ["x", "x!"]


def test_bad_fields_and_exclude_types():
    """F-META-007"""
    with pytest.raises(TypeError):

        class A(FilterSet):
            class Meta:
                model = Sample
                fields = {"a": "b"}

    with pytest.raises(TypeError):

        class B(FilterSet):
            class Meta:
                model = Sample
                fields = "__all__"
                exclude = 1


def test_abstract_model():
    """F-META-008"""
    with pytest.raises(ValueError, match="Abstract models"):

        class F(FilterSet):
            class Meta:
                model = AbstractThing
                fields = "__all__"


def test_unknown_field():
    """F-META-009"""
    with pytest.raises(FieldDoesNotExist):

        class F(FilterSet):
            class Meta:
                model = Sample
                fields = ["undefined_field"]


def test_extra_kwargs_on_annotations():
    """F-META-010"""

    class F(FilterSet):
        field_1: int
        field_2: int

        class Meta:
            extra_kwargs = {"field_1": {"required": True}}

    fields = F().fields
    assert fields["field_1"].required is True
    assert fields["field_2"].required is False


def test_extra_kwargs_on_model_fields():
    """F-META-011"""

    class F(FilterSet):
        class Meta:
            model = Sample
            fields = ["integer_field", "string_field"]
            extra_kwargs = {
                "integer_field": {"lookups": ["gte", "lte"]},
                "string_field": {"lookups": ["icontains", "startswith"]},
            }

    fields = names(F)
    for name in ("integer_field__gte", "integer_field__lte", "string_field__icontains",
                 "string_field__startswith"):  # fmt: skip
        assert name in fields


def test_required_fields():
    """F-META-012 W-07"""

    class F(FilterSet):
        x: int
        y = IntegerField()

        class Meta:
            required_fields = ["x", "y"]

    fields = F().fields
    assert fields["x"].required is True and fields["y"].required is True
    assert fields["x!"].required is False
    fs = F(data={})
    assert not fs.is_valid()
    assert [str(m) for m in fs.errors["x"]] == ["This field is required."]
    assert "x!" not in fs.errors


def test_required_fields_inherited_and_unknown():
    """F-META-012 W-07: inherited names can be made required; unknown names are an error."""
    from django.core.exceptions import ImproperlyConfigured

    class Parent(FilterSet):
        x: int

    class Child(Parent):
        class Meta:
            required_fields = ["x"]

    assert Child().fields["x"].required is True
    assert Parent().fields["x"].required is False
    with pytest.raises(ImproperlyConfigured, match="nope"):

        class Bad(FilterSet):
            class Meta:
                required_fields = ["nope"]


def test_child_meta_wins_even_with_default_values():
    """F-META-013 W-07"""

    class Parent(FilterSet):
        a: int

        class Meta:
            operator = "OR"
            allow_negate = False

    class Child(Parent):
        b: int

        class Meta:
            operator = "AND"
            allow_negate = True

    assert Child().get_options().operator == "AND"
    assert "b!" in names(Child)
    assert "a!" not in names(Parent)


def test_child_inherits_operator():
    """F-META-014"""

    class Parent(FilterSet):
        class Meta:
            operator = "XOR"

    class Child(Parent):
        pass

    assert Child().get_options().operator == "XOR"


def test_allow_negate_false_everywhere_but_explicit():
    """F-META-015 W-07"""

    class F(FilterSet):
        x: int
        y = IntegerField()

        class Meta:
            model = Sample
            fields = ["integer_field"]
            allow_negate = False

    assert names(F) == ["x", "y", "y!", "integer_field"]


def test_meta_separator_alias():
    """F-META-016"""

    class F(FilterSet):
        integer_field = IntegerField(lookups={"max": "lte", "min": "gte"})

        class Meta:
            lookup_separator = "_"

    fields = F().fields
    assert fields["integer_field_max"].filter_by == "integer_field__lte"
    assert fields["integer_field_min"].filter_by == "integer_field__gte"


def test_meta_separator_list():
    """F-META-017"""

    class F(FilterSet):
        integer_field = IntegerField(lookups=["gte"])

        class Meta:
            lookup_separator = "_"

    assert F().fields["integer_field_gte"].filter_by == "integer_field__gte"


def test_field_separator_beats_meta():
    """F-META-018"""

    class F(FilterSet):
        integer_field = IntegerField(lookups={"max": "lte"}, lookup_separator="-")
        string_field = StringField(lookups={"like": "icontains"})

        class Meta:
            lookup_separator = "_"

    fields = names(F)
    assert "integer_field-max" in fields
    assert "string_field_like" in fields


def test_default_separator():
    """F-META-019"""

    class F(FilterSet):
        integer_field = IntegerField(lookups=["gte"])

    assert "integer_field__gte" in names(F)


def test_default_order_param():
    """F-META-020"""

    class F(FilterSet):
        pass

    assert F().get_options().order_param == "order_by"


def test_meta_removed_and_enable_ordering_derived():
    """W-07: Meta.enable_ordering has no effect; FilterOptions derives it."""

    class F(FilterSet):
        class Meta:
            enable_ordering = True

    assert not hasattr(F, "Meta")
    assert F._meta.enable_ordering is False


@pytest.mark.parametrize(
    "option,parent,child",
    [("operator", "OR", "AND"), ("allow_negate", False, True),
     ("order_param", "sort", "order_by"), ("override_order_direction", "desc", "asc"),
     ("lookup_separator", "_", "__")],
)  # fmt: skip
def test_presence_based_resolution(option, parent, child):
    """W-07: a child Meta value equal to the default still overrides the parent's."""
    Parent = type(FilterSet)("Parent", (FilterSet,), {"Meta": type("Meta", (), {option: parent})})
    Child = type(FilterSet)("Child", (Parent,), {"Meta": type("Meta", (), {option: child})})
    assert getattr(Child._meta, option) == child
    assert getattr(Parent._meta, option) == parent


def test_model_dump_uses_required_fields_query():
    """F-META-012: a QueryDict without the required param fails."""

    class F(FilterSet):
        x: int

        class Meta:
            required_fields = ["x"]

    assert not F(data=qd("")).is_valid()
    assert F(data=qd("x=1")).is_valid()
