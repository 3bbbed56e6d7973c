"""Running code inside the example bookstore project, as its own process."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "bookstore"


def run_in_example(script: str, tmp_path: pathlib.Path, *, timeout: float = 180) -> str:
    """Run ``script`` with the example's settings on a SQLite file of its own; its stdout.

    A fresh interpreter, because the example is a Django project with settings of its own.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bookstore.settings",
        "BOOKSTORE_DB": str(tmp_path / "db.sqlite3"),
        "PYTHONPATH": str(EXAMPLE),
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=EXAMPLE,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout
