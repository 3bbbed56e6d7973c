"""Sessions: tests (Python × Django matrix), lint, types, docs, demo, bench, install_matrix,
contract. ``nox -l`` lists them; ``nox`` alone runs the fast default (tests on this Python)."""

from __future__ import annotations

import glob
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import zipfile

import nox

ROOT = pathlib.Path(__file__).resolve().parent
PACKAGES = ROOT / "packages"

# pyenv keeps each Python in its own folder; put them on PATH so nox and uv find them.
_pyenv = pathlib.Path(os.environ.get("PYENV_ROOT", pathlib.Path.home() / ".pyenv")) / "versions"
for _bin in sorted(glob.glob(str(_pyenv / "3.1[0-9]*" / "bin"))):
    os.environ["PATH"] = _bin + os.pathsep + os.environ["PATH"]
# The uv that ``dev.py`` installs into .tools/ serves when none is on PATH.
_tools = ROOT / ".tools" / ("Scripts" if os.name == "nt" else "bin")
if shutil.which("uv") is None and (_tools / "uv").exists():
    os.environ["PATH"] = str(_tools) + os.pathsep + os.environ["PATH"]

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["tests"]
nox.options.reuse_venv = "yes"

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
DJANGOS = {"4.2": "django>=4.2,<5.0", "5.2": "django>=5.2,<6.0", "6": "django>=6.0,<7.0"}
DEFAULT_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"

# Workspace members in dependency order: each is installed editable into matrix sessions.
MEMBERS = [
    "restflow-core",
    "restflow-serializers",
    "restflow-filters",
    "restflow-caching",
    "restflow-auth",
    "restflow-spectacular",
    "restflow-dispatch-celery",
    "restflow-dispatch-rq",
    "restflow-dispatch-django-q",
    "restflow-dispatch-dramatiq",
]

TEST_TOOLS = [
    "pytest>=8.3",
    "pytest-django>=4.9",
    "pytest-asyncio>=0.24",
    "pytest-timeout>=2.3",
    "hypothesis>=6.100",
    "httpx>=0.27",
    "uvicorn>=0.30",
    "tomli>=2; python_version < '3.11'",
]

# Every optional library the whole suite talks to: service clients and the extras' libraries.
SERVICE_CLIENTS = [
    "redis",
    "django-redis",
    "psycopg[binary]",
    "cryptography",
    "djangorestframework-simplejwt",
    "drf-spectacular",
    "celery",
    "django-rq",
    "django-q2",
    "dramatiq[rabbitmq]",
    "pika",
]

# What each distribution's own tests need beyond its declared dependencies: the extras it
# offers and the client libraries of the services its tests talk to.
OWN_TESTS: dict[str, tuple[str, list[str], list[str]]] = {
    "restflow-core": ("tests/core", [], ["redis", "django-redis"]),
    "restflow-serializers": ("tests/serializers", [], []),
    "restflow-filters": ("tests/filters", ["postgres-psycopg3"], []),
    "restflow-caching": ("tests/caching", ["redis"], []),
    "restflow-auth": ("tests/auth", ["simplejwt"], ["redis", "django-redis", "cryptography"]),
    "restflow-spectacular": ("tests/spectacular", [], []),
    # The broker plugins' round trips share a Redis cache with a real worker; dramatiq
    # reaches RabbitMQ through pika.
    "restflow-dispatch-celery": ("tests/dispatch_celery", [], ["redis"]),
    "restflow-dispatch-rq": ("tests/dispatch_rq", [], ["redis"]),
    "restflow-dispatch-django-q": ("tests/dispatch_django_q", [], ["redis"]),
    "restflow-dispatch-dramatiq": ("tests/dispatch_dramatiq", [], ["redis", "pika"]),
    "drf-restflow": ("tests/meta_package", [], []),
}
META_EXTRAS = [
    "redis",
    "celery",
    "django-rq",
    "django-q",
    "dramatiq",
    "postgres",
    "postgres-psycopg3",
    "simplejwt",
    "spectacular",
]


def _supported(python: str, django: str) -> bool:
    # Django 6 needs Python >= 3.12; Django 4.2 stops at Python 3.12.
    if django == "6":
        return python in {"3.12", "3.13"}
    if django == "4.2":
        return python != "3.13"
    return True


@nox.session(python=DEFAULT_PYTHON, venv_backend="none")
def tests(session: nox.Session) -> None:
    """The fast default: the locked workspace environment, this Python, SQLite."""
    session.run("uv", "run", "--frozen", "pytest", *session.posargs, external=True)


@nox.session(name="matrix")
@nox.parametrize(
    "python,django,drf",
    [(p, d, "latest") for p in PYTHONS for d in DJANGOS if _supported(p, d)]
    # The floors together: the oldest DRF restflow supports on the oldest Django.
    + [("3.11", "4.2", "3.14")],
)
def matrix(session: nox.Session, django: str, drf: str) -> None:
    """Python 3.10-3.13 × Django 4.2 / 5.2 / 6.x with the latest DRF, plus DRF 3.14."""
    drf_requirement = "djangorestframework" if drf == "latest" else f"djangorestframework=={drf}.*"
    session.install(*TEST_TOOLS, *SERVICE_CLIENTS)
    session.install(DJANGOS[django], drf_requirement)
    session.install(*(f"-e{PACKAGES / m}" for m in MEMBERS))
    session.install(DJANGOS[django], drf_requirement)  # editable installs must not move them
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", *session.posargs)


@nox.session(python=DEFAULT_PYTHON, venv_backend="none")
def lint(session: nox.Session) -> None:
    session.run("uv", "run", "--frozen", "ruff", "check", ".", external=True)
    session.run("uv", "run", "--frozen", "ruff", "format", "--check", ".", external=True)


@nox.session(python=DEFAULT_PYTHON, venv_backend="none")
def types(session: nox.Session) -> None:
    sources = [str(p) for p in sorted(PACKAGES.glob("*/src/restflow"))]
    session.run("uv", "run", "--frozen", "mypy", *sources, external=True)


@nox.session(python=DEFAULT_PYTHON, venv_backend="none")
def docs(session: nox.Session) -> None:
    session.run(
        "uv",
        "run",
        "--frozen",
        "mkdocs",
        "build",
        "--strict",
        env={"NO_MKDOCS_2_WARNING": "1"},
        external=True,
    )


@nox.session(python=DEFAULT_PYTHON, venv_backend="none")
def demo(session: nox.Session) -> None:
    """Serve the example bookstore (what `python3 dev.py demo` does)."""
    session.run(
        "uv",
        "run",
        "--frozen",
        "python",
        "examples/bookstore/serve.py",
        *session.posargs,
        external=True,
    )


@nox.session(python=DEFAULT_PYTHON, venv_backend="none")
def bench(session: nox.Session) -> None:
    """Benchmarks side by side with the peers; pass areas and --db=postgres as posargs."""
    session.run(
        "uv", "run", "--frozen", "python", "benchmarks/run.py", *session.posargs, external=True
    )


@nox.session(python=DEFAULT_PYTHON, venv_backend="none")
def contract(session: nox.Session) -> None:
    """Which spec checklist ids a test names, per chapter (--missing lists the rest)."""
    tool = ROOT.parent / "shared" / "tools" / "contract-coverage"
    session.run(sys.executable, str(tool), "--root", str(ROOT), *session.posargs, external=True)


def _check_wheels(session: nox.Session, dist_dir: pathlib.Path) -> None:
    for wheel in sorted(dist_dir.glob("*.whl")):
        names = zipfile.ZipFile(wheel).namelist()
        for namespace in ("restflow/__init__.py", "restflow/dispatch/__init__.py"):
            if namespace in names:
                session.error(f"{wheel.name} ships {namespace}: restflow must stay a namespace")
    session.log(f"{len(list(dist_dir.glob('*.whl')))} wheels keep restflow a namespace")


def _public_paths(dist: str) -> list[str]:
    """The first regular packages below the namespaces: what a distribution owns."""
    src = PACKAGES / dist / "src"
    if not src.exists():
        return []
    return sorted(
        ".".join(init.parent.relative_to(src).parts)
        for init in src.rglob("__init__.py")
        if not (init.parent.parent / "__init__.py").exists()
    )


IMPORT_CHECK = """
import importlib, json, sys
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"])
django.setup()
failed = {}
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed[name] = repr(exc)
if failed:
    sys.exit("cannot import: " + json.dumps(failed, indent=2))
print("imported", len(json.loads(sys.argv[1])), "public paths")
"""


def _import_check(work: pathlib.Path) -> str:
    script = work / "import_check.py"
    if not script.exists():
        script.write_text(IMPORT_CHECK)
    return str(script)


def _venv(session: nox.Session, where: pathlib.Path, name: str) -> pathlib.Path:
    target = where / name
    session.run("uv", "venv", "-q", "--python", sys.executable, str(target), external=True)
    return target / "bin" / "python"


def _pins(dist_dir: pathlib.Path) -> list[str]:
    """Pin every restflow distribution to the built wheel: PyPI has an unrelated 2.x
    drf-restflow, and nothing here may come from there."""
    pins = []
    for wheel in dist_dir.glob("*.whl"):
        name, version = wheel.name.split("-")[:2]
        pins.append(f"{name.replace('_', '-')}=={version}")
    return pins


@nox.session(python=DEFAULT_PYTHON, venv_backend="none")
def install_matrix(session: nox.Session) -> None:
    """Build every wheel; install each distribution alone from them into a fresh venv with
    only its declared dependencies (plus test tools); import its public paths; run its tests.
    Then drf-restflow with each extra."""
    work = pathlib.Path(tempfile.mkdtemp(prefix="restflow-matrix-"))
    dist_dir = work / "dist"
    session.run(
        "uv", "build", "-q", "--all-packages", "--wheel", "-o", str(dist_dir), external=True
    )
    _check_wheels(session, dist_dir)
    constraints = work / "constraints.txt"
    constraints.write_text("\n".join(_pins(dist_dir)) + "\n")
    install = ["uv", "pip", "install", "-q", "--find-links", str(dist_dir), "-c", str(constraints)]
    only = set(session.posargs)
    env = {"RESTFLOW_REQUIRE_SERVICES": os.environ.get("RESTFLOW_REQUIRE_SERVICES", "")}
    for dist, (tests_dir, extras, clients) in OWN_TESTS.items():
        if only and dist not in only:
            continue
        session.log(f"== {dist} alone")
        python = _venv(session, work, dist)
        requirement = f"{dist}[{','.join(extras)}]" if extras else dist
        session.run(
            *install, "--python", str(python), requirement, *clients, *TEST_TOOLS, external=True
        )
        paths = _public_paths(dist)
        if paths:
            session.run(str(python), _import_check(work), json.dumps(paths), external=True)
        if (ROOT / tests_dir).exists():
            session.run(
                str(python),
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                tests_dir,
                "-m",
                "not postgres",
                env=env,
                external=True,
            )
    if not only or "drf-restflow" in only:
        for extra in META_EXTRAS:
            session.log(f"== drf-restflow[{extra}]")
            python = _venv(session, work, f"meta-{extra}")
            session.run(*install, "--python", str(python), f"drf-restflow[{extra}]", external=True)
            paths = [p for d in MEMBERS for p in _public_paths(d) if _dist_installed(python, d)]
            session.run(str(python), _import_check(work), json.dumps(paths), external=True)
    shutil.rmtree(work, ignore_errors=True)


def _dist_installed(python: pathlib.Path, dist: str) -> bool:
    probe = f"import importlib.metadata as m; m.version({dist!r})"
    return subprocess.run([str(python), "-c", probe], capture_output=True).returncode == 0
