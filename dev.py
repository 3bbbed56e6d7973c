#!/usr/bin/env python3
"""One entry point for a fresh clone: needs only Python >= 3.10.

    python3 dev.py demo     migrate, seed and serve the example API under uvicorn
    python3 dev.py test     run the test suite (extra arguments go to pytest)

It installs uv into ``.tools/`` and lets uv build ``.venv/`` from ``uv.lock``, so every
machine runs the same locked dependencies.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import venv

ROOT = pathlib.Path(__file__).resolve().parent
TOOLS = ROOT / ".tools"
BIN = "Scripts" if os.name == "nt" else "bin"
UV_VERSION = "uv>=0.9,<1"


def uv() -> str:
    exe = TOOLS / BIN / "uv"
    if not exe.exists():
        print("dev.py: installing uv into .tools/", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(TOOLS)
        pip = [str(TOOLS / BIN / "python"), "-m", "pip", "install", "-q", UV_VERSION]
        subprocess.run(pip, check=True)
    return str(exe)


def sync() -> None:
    subprocess.run([uv(), "sync", "--frozen", "--python", sys.executable], check=True, cwd=ROOT)


def python() -> str:
    return str(ROOT / ".venv" / BIN / "python")


def run(cmd: list[str]) -> int:
    return subprocess.call(cmd, cwd=ROOT)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "test":
        sync()
        return run([python(), "-m", "pytest", *rest])
    sync()
    return run([python(), "examples/bookstore/serve.py", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
