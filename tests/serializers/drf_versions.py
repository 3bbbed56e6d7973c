"""What the installed DRF reports, where DRF versions genuinely differ."""

from rest_framework.settings import api_settings


def per_item_errors(by_index: dict, length: int):
    """``many=True`` per-item errors the way the installed DRF shapes them: DRF 3.18 added
    ``LIST_SERIALIZER_ERRORS_AS_DICT`` (default true: a dict keyed by index); older DRF has no
    such setting and always reports a list aligned to the input (serializers.md §5, stack.md
    §6.7). restflow follows DRF here, so the expectation branches on the DRF version."""
    if getattr(api_settings, "LIST_SERIALIZER_ERRORS_AS_DICT", False):
        return by_index
    return [by_index.get(index, {}) for index in range(length)]
