"""Side-by-side timing of restflow and its peers on one workload, in one process.

A scenario names a baseline and its contenders (zero-argument callables or coroutine
functions). The runner alternates the contenders round by round, so drift of the machine
(other processes, CPU frequency) hits every contender alike, and reports the median time per
call and its ratio to the baseline.
"""

from __future__ import annotations

import asyncio
import inspect
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Scenario:
    name: str
    baseline: str
    contenders: dict[str, Callable[[], Any]]
    setup: Callable[[], Any] | None = None
    number: int = 200  # calls per round
    rounds: int = 15
    goals: dict[str, float] = field(default_factory=dict)  # contender -> max ratio to baseline


@dataclass
class Result:
    scenario: str
    contender: str
    median_us: float
    ratio: float
    goal: float | None

    @property
    def verdict(self) -> str:
        if self.goal is None:
            return ""
        return "ok" if self.ratio <= self.goal else f"MISSED (goal ≤{self.goal:g}×)"


def _timer(fn: Callable[[], Any], number: int, loop: asyncio.AbstractEventLoop) -> float:
    if inspect.iscoroutinefunction(fn):

        async def batch() -> float:
            start = time.perf_counter()
            for _ in range(number):
                await fn()
            return time.perf_counter() - start

        return loop.run_until_complete(batch())
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return time.perf_counter() - start


def run_scenario(scenario: Scenario) -> list[Result]:
    if scenario.setup is not None:
        scenario.setup()
    loop = asyncio.new_event_loop()
    try:
        samples: dict[str, list[float]] = {name: [] for name in scenario.contenders}
        for fn in scenario.contenders.values():  # warm-up: imports, caches, lazy setup
            _timer(fn, max(1, scenario.number // 10), loop)
        for _ in range(scenario.rounds):
            for name, fn in scenario.contenders.items():
                samples[name].append(_timer(fn, scenario.number, loop) / scenario.number)
    finally:
        loop.close()
    base = statistics.median(samples[scenario.baseline])
    return [
        Result(
            scenario.name,
            name,
            statistics.median(values) * 1e6,
            statistics.median(values) / base,
            scenario.goals.get(name),
        )
        for name, values in samples.items()
    ]


def format_table(results: list[Result]) -> str:
    lines = [
        "| scenario | contender | median µs/call | ratio to baseline | goal |",
        "|---|---|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.scenario} | {r.contender} | {r.median_us:,.1f} | {r.ratio:.2f}× | {r.verdict} |"
        )
    return "\n".join(lines)
