"""Views under uvicorn on loopback, driven by a load generator at 1, 8 and 64 connections.

    uv run python benchmarks/load_views.py [--seconds 3] [--rounds 3] [--db=postgres]

The server is one uvicorn process (one worker) serving ``benchmarks.bench_views``' routes:
plain Django async view (the floor), restflow, restflow with a restflow serializer
(``restflow+rf-serializer``), DRF, adrf and ninja. The load generator
is a second process: ``wrk`` (``-t min(connections, 2) --latency``) when it is on PATH, since
on a 2-core machine a Python generator saturates its own core before the server at 64
connections and so measures itself; otherwise the fallback is an in-process generator of
asyncio workers over keep-alive httpx connections, one worker per connection. The output
says which one ran. Every contender must answer 200: one checked GET before it is measured,
and a run fails loudly if wrk counts any non-2xx/3xx response or socket error. wrk's default
2 s timeout would count adrf's multi-second responses at 64 connections as socket errors, so
it waits up to a minute instead. A contender that completes no response within a run shows
0 req/s and latencies of more than the run.

With ``taskset`` on PATH and two or more cores, the server is pinned to one core and wrk to
another, so they do not take turns on the same core. Whatever else runs on this machine
still competes for both: compare contenders within one run, not across runs or machines.

A single run per cell lets one hiccup of the machine decide a ratio, so each cell is run in
``--rounds`` rounds, every contender once per round in turn. A row reports the medians of its
rounds, and its ratio to the floor as the median of the per-round ratios (each against the
floor's run of the same round) with their lowest and highest in brackets.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

HERE = pathlib.Path(__file__).resolve().parent
CASES = {"JSON-bound": "rows", "DB-bound": "books"}
WARM_UP_SECONDS = 1
SERVER = """
import os, sys
sys.path.insert(0, {root!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
os.environ["RESTFLOW_BENCH_DB"] = {db!r}
import django
django.setup()
from django.core.management import call_command
call_command("migrate", run_syncdb=True, verbosity=0)
from benchmarks import bench_views
bench_views._seed_books()
import uvicorn
uvicorn.run(bench_views.APPLICATION, host="127.0.0.1", port={port}, log_level="warning",
            lifespan="off", workers=1)
"""
WRK_TIMEOUT = "60s"
WRK_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


@dataclass
class Measurement:
    requests: int
    rate: float
    p50_ms: float
    p99_ms: float


Generator = Callable[[str, int, int], Measurement]


def _contenders(case: str) -> dict[str, str]:
    """Contender name -> path, as in ``bench_views._contenders``."""
    suffix = CASES[case]
    typed = {"restflow+rf-serializer": f"/views/restflow-typed/{suffix}/"}
    return {
        "django": f"/views/django/{suffix}/",
        "restflow": f"/views/restflow/{suffix}/",
        **typed,
        "drf": f"/views/drf/{suffix}/",
        "adrf": f"/views/adrf/{suffix}/",
        "ninja": f"/views/ninja/{suffix}",
    }


def _cores() -> tuple[int, int] | None:
    """(server core, generator core) when ``taskset`` can pin them apart, else None."""
    cores = sorted(os.sched_getaffinity(0))
    return (cores[0], cores[1]) if shutil.which("taskset") and len(cores) >= 2 else None


def _pinned(command: list[str], core: int | None) -> list[str]:
    return command if core is None else ["taskset", "-c", str(core), *command]


# wrk ---------------------------------------------------------------------------------------


def _wrk_ms(output: str, percentile: str) -> float:
    match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.M)
    if match is None:
        raise AssertionError(f"no {percentile}% latency in wrk's output:\n{output}")
    return float(match[1]) * WRK_UNITS_MS[match[2]]


def _wrk(core: int | None) -> Generator:
    def run(url: str, connections: int, seconds: int) -> Measurement:
        threads = min(connections, 2)
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
        command += ["--timeout", WRK_TIMEOUT, url]
        output = subprocess.run(
            _pinned(command, core), capture_output=True, text=True, check=True
        ).stdout
        for failure in ("Non-2xx or 3xx responses", "Socket errors"):
            if failure in output:
                raise AssertionError(f"{url}: wrk counted {failure}:\n{output}")
        requests = re.search(r"^\s+(\d+) requests in ", output, re.M)
        rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
        if requests is None or rate is None:
            raise AssertionError(f"no request count or Requests/sec in wrk's output:\n{output}")
        p50, p99 = _wrk_ms(output, "50"), _wrk_ms(output, "99")
        return Measurement(int(requests[1]), float(rate[1]), p50, p99)

    return run


# httpx (fallback) --------------------------------------------------------------------------


async def _drive(url: str, connections: int, seconds: float) -> list[float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits) as client:

        async def worker() -> None:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise AssertionError(f"{url} answered {response.status_code}")

        await asyncio.gather(*(worker() for _ in range(connections)))
    return latencies


def _httpx(url: str, connections: int, seconds: int) -> Measurement:
    latencies = asyncio.run(_drive(url, connections, seconds))
    cuts = statistics.quantiles(latencies, n=100)
    return Measurement(len(latencies), len(latencies) / seconds, cuts[49] * 1e3, cuts[98] * 1e3)


# Server and run ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(base: str) -> None:
    for _ in range(300):
        try:
            httpx.get(f"{base}/views/django/rows/", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"the server at {base} did not come up")


def _check(url: str) -> None:
    """wrk counts 3xx as success: ask for one 200 before measuring."""
    response = httpx.get(url)
    if response.status_code != 200:
        raise AssertionError(f"{url} answered {response.status_code}: {response.text[:300]!r}")


def _generator(cores: tuple[int, int] | None) -> tuple[Generator, str]:
    """wrk when it is on PATH, else the httpx fallback; with a line saying which ran."""
    pinning = f"server on core {cores[0]}" if cores else "server not pinned"
    if shutil.which("wrk") is None:
        return _httpx, f"generator: httpx (in-process fallback; wrk not on PATH); {pinning}"
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    where = f"core {cores[1]}" if cores else "not pinned"
    return _wrk(cores[1] if cores else None), f"generator: wrk {version} ({where}); {pinning}"


def _row(
    case: str,
    connections: int,
    contender: str,
    runs: list[Measurement],
    seconds: int,
    floors: list[Measurement],
) -> str:
    """Medians over the rounds; latencies of a contender silent in every round exceed the run."""
    ratios = [run.rate / floor.rate for run, floor in zip(runs, floors, strict=True)]
    ratio = f"{statistics.median(ratios):.2f}× [{min(ratios):.2f}–{max(ratios):.2f}]"
    answered = [run for run in runs if run.requests]
    if answered:
        p50 = f"{statistics.median(run.p50_ms for run in answered):.2f}"
        p99 = f"{statistics.median(run.p99_ms for run in answered):.2f}"
    else:
        p50 = p99 = f"> {seconds * 1000:,}"
    rate = statistics.median(run.rate for run in runs)
    return f"| {case} | {connections} | {contender} | {rate:,.0f} | {p50} | {p99} | {ratio} |"


def _cell(
    generator: Generator, base: str, case: str, connections: int, args: argparse.Namespace
) -> dict[str, list[Measurement]]:
    """Every contender once per round, in turn; the warm-up only before the first round."""
    runs: dict[str, list[Measurement]] = {contender: [] for contender in _contenders(case)}
    for round_ in range(args.rounds):
        for contender, path in _contenders(case).items():
            url = base + path
            if not round_:
                _check(url)
                generator(url, connections, WARM_UP_SECONDS)
            runs[contender].append(generator(url, connections, args.seconds))
    if not all(run.requests for run in runs["django"]):
        raise AssertionError(f"the floor, {base}{_contenders(case)['django']}, answered nothing")
    return runs


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--connections", default="1,8,64")
    args = parser.parse_args()
    cores = _cores()
    generator, description = _generator(cores)
    port = _free_port()
    script = SERVER.format(root=str(HERE.parent), db=args.db, port=port)
    server = subprocess.Popen(
        _pinned([sys.executable, "-c", script], cores[0] if cores else None), env=dict(os.environ)
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base)
        print(f"{description}; {args.db}; {args.rounds} rounds of {args.seconds} s", flush=True)
        print("| case | connections | contender | req/s | p50 ms | p99 ms | req/s vs floor |")
        print("|---|---:|---|---:|---:|---:|---:|")
        for case in CASES:
            for connections in (int(c) for c in args.connections.split(",")):
                runs = _cell(generator, base, case, connections, args)
                for contender, measured in runs.items():
                    row = _row(case, connections, contender, measured, args.seconds, runs["django"])
                    print(row, flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
