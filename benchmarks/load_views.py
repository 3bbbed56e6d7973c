"""Views under uvicorn on loopback, driven by a load generator at 1, 8 and 64 connections.

    uv run python benchmarks/load_views.py [--seconds 3] [--db=postgres]

The server is one uvicorn process serving ``benchmarks.bench_views``' routes (plain Django
async view, restflow, DRF, adrf, ninja); the load generator is a second process of asyncio
workers over keep-alive httpx connections, one worker per connection, each for a fixed time.
It reports throughput and p50 / p99 latency per contender and concurrency. Both processes
share this machine's cores, so compare contenders within one run, not across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import socket
import statistics
import subprocess
import sys
import time

import httpx

HERE = pathlib.Path(__file__).resolve().parent
CONTENDERS = ["django", "restflow", "drf", "adrf", "ninja"]
CASES = {"JSON-bound": "rows", "DB-bound": "books"}
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
            lifespan="off")
"""


def _path(contender: str, case: str) -> str:
    suffix = CASES[case]
    return f"/views/ninja/{suffix}" if contender == "ninja" else f"/views/{contender}/{suffix}/"


async def _drive(base: str, path: str, connections: int, seconds: float) -> list[float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits) as client:

        async def worker() -> None:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await client.get(path)
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise AssertionError(f"{path} answered {response.status_code}")

        await asyncio.gather(*(worker() for _ in range(connections)))
    return latencies


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--connections", default="1,8,64")
    args = parser.parse_args()
    (HERE / "results").mkdir(exist_ok=True)
    port = _free_port()
    script = SERVER.format(root=str(HERE.parent), db=args.db, port=port)
    server = subprocess.Popen([sys.executable, "-c", script], env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/views/django/rows/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        print("| case | connections | contender | req/s | p50 ms | p99 ms | req/s vs floor |")
        print("|---|---:|---|---:|---:|---:|---:|")
        for case in CASES:
            for connections in (int(c) for c in args.connections.split(",")):
                floor = None
                for contender in CONTENDERS:
                    path = _path(contender, case)
                    asyncio.run(_drive(base, path, connections, 0.5))  # warm-up
                    latencies = asyncio.run(_drive(base, path, connections, args.seconds))
                    rate = len(latencies) / args.seconds
                    floor = floor or rate
                    cuts = statistics.quantiles(latencies, n=100)
                    print(
                        f"| {case} | {connections} | {contender} | {rate:,.0f} | "
                        f"{cuts[49] * 1e3:.2f} | {cuts[98] * 1e3:.2f} | {rate / floor:.2f}× |",
                        flush=True,
                    )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
