"""Migrate, seed and serve the bookstore under uvicorn (ASGI): ``python3 dev.py demo``.

Options: ``--host`` (127.0.0.1), ``--port`` (8000, or BOOKSTORE_PORT), ``--check`` (prepare
and exit without serving).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookstore.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BOOKSTORE_PORT", "8000")))
    parser.add_argument("--check", action="store_true", help="migrate and seed, then exit")
    args = parser.parse_args()

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0)
    if args.check:
        print("bookstore ready")
        return 0

    import uvicorn

    print(f"restflow bookstore on http://{args.host}:{args.port}/  (Ctrl+C stops it)", flush=True)
    uvicorn.run(
        "bookstore.asgi:application",
        host=args.host,
        port=args.port,
        log_level="info",
        lifespan="off",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
