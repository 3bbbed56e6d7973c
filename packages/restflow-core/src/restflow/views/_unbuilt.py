"""Response data read straight from a serializer class; the serializer is built if asked for.

When building the response serializer would change nothing
(``restflow.helpers.read_plan.class_plain_representation``), an async view reads the rows
without building it. DRF's ``.data`` also links back to its serializer (``data.serializer``,
used by the browsable API and form renderers): here that serializer is built on first
access, with the arguments the view would have built it with, holding the data already
read, as DRF's does after ``.data``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList


class _SerializerOnFirstUse:
    _restflow_build: Callable[[], Any]
    _restflow_raw: Any

    def __getattr__(self, name: str) -> Any:
        # Only reached while ``serializer`` is unset; copies made by DRF's methods set it.
        if name != "serializer" or "_restflow_build" not in self.__dict__:
            raise AttributeError(name)
        serializer = self._restflow_build()
        serializer._data = self._restflow_raw
        self.serializer = serializer
        return serializer


class UnbuiltReturnDict(_SerializerOnFirstUse, ReturnDict):
    """DRF's ``ReturnDict`` whose ``serializer`` is built on first access."""


class UnbuiltReturnList(_SerializerOnFirstUse, ReturnList):
    """DRF's ``ReturnList`` whose ``serializer`` is built on first access."""


def unbuilt_data(raw: Any, *, many: bool, build: Callable[[], Any]) -> Any:
    """``raw`` wrapped as ``build().data`` wraps it, without calling ``build`` yet."""
    data: Any
    if many:
        data = UnbuiltReturnList.__new__(UnbuiltReturnList)
        list.__init__(data, raw)
    else:
        data = UnbuiltReturnDict.__new__(UnbuiltReturnDict)
        dict.__init__(data, raw)
    data._restflow_build = build
    data._restflow_raw = raw
    return data
