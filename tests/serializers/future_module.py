"""Serializers declared under postponed annotations (W-01, Z-SER-060)."""

from __future__ import annotations

from restflow.serializers import Serializer


class Child(Serializer):
    v: int


class S(Serializer):
    a: int
    b: list[int] | None
    nested: Child
