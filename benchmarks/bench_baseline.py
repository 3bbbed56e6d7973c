"""A self-check of the harness: two ways of building the same dict, so `run.py` always has work."""

from benchmarks.harness import Scenario


def _literal() -> dict:
    return {"a": 1, "b": 2}


def _constructor() -> dict:
    return dict(a=1, b=2)


SCENARIOS = [
    Scenario(
        name="harness self-check (dict literal vs dict())",
        baseline="literal",
        contenders={"literal": _literal, "constructor": _constructor},
        number=10_000,
    )
]
