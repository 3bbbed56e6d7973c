"""Run benchmark areas side by side with the peers: ``python benchmarks/run.py [area ...]``.

An area is a module ``benchmarks/bench_<area>.py`` with a ``SCENARIOS`` list (or a
``scenarios()`` function returning one). Options: ``--db=postgres``, ``--quick``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("areas", nargs="*", help="areas to run (default: all)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="few rounds, for a smoke run")
    parser.add_argument("--output", help="also write the markdown table to this file")
    args = parser.parse_args()

    os.environ["RESTFLOW_BENCH_DB"] = args.db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    (HERE / "results").mkdir(exist_ok=True)
    import django
    from django.core.management import call_command

    django.setup()
    if args.db == "postgres":
        _ensure_postgres_database()
    call_command("migrate", run_syncdb=True, verbosity=0)

    from benchmarks.harness import format_table, run_scenario

    areas = args.areas or sorted(p.stem[len("bench_") :] for p in HERE.glob("bench_*.py"))
    results = []
    for area in areas:
        module = importlib.import_module(f"benchmarks.bench_{area}")
        scenarios = module.scenarios() if hasattr(module, "scenarios") else module.SCENARIOS
        for scenario in scenarios:
            if args.quick:
                scenario.rounds, scenario.number = 3, max(1, scenario.number // 10)
            print(f"running {area}: {scenario.name}", file=sys.stderr, flush=True)
            results.extend(run_scenario(scenario))
    table = format_table(results)
    print(table)
    if args.output:
        pathlib.Path(args.output).write_text(table + "\n")
    return 0


def _ensure_postgres_database() -> None:
    import psycopg
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    sys.exit(main())
