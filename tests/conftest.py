"""Django settings and service gates shared by every test folder.

Each ``tests/<distribution>/`` folder runs with only that distribution (and its declared
dependencies) installed, so apps and caches are added only when importable. The database is
SQLite unless ``--db=postgres`` or ``RESTFLOW_TEST_DB=postgres`` asks for the local PostgreSQL.
Tests marked ``redis`` / ``rabbitmq`` / ``postgres`` skip with a reason when the service is
unreachable, and fail instead when ``RESTFLOW_REQUIRE_SERVICES=1`` (CI).
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import socket
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SERVICES = {
    "postgres": ("127.0.0.1", 5432),
    "redis": ("127.0.0.1", 6379),
    "rabbitmq": ("127.0.0.1", 5672),
}
REQUIRE_SERVICES = os.environ.get("RESTFLOW_REQUIRE_SERVICES") == "1"
# Tests of one process share Redis and PostgreSQL with other runs on this machine:
# every key and database name carries the pid so concurrent runs never collide.
RUN_ID = f"t{os.getpid()}"
REDIS_URL = os.environ.get("RESTFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
DB_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server", "async_db"}


def service_reachable(name: str, timeout: float = 0.5) -> bool:
    host, port = SERVICES[name]
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgres"),
        default=os.environ.get("RESTFLOW_TEST_DB", "sqlite"),
        help="database for the run (default sqlite; env RESTFLOW_TEST_DB)",
    )


def _folders_in_run(config: pytest.Config) -> set[str] | None:
    """The ``tests/<folder>`` names this run collects from; ``None`` means all of them."""
    tests = ROOT / "tests"
    folders: set[str] = set()
    for arg in config.args or [str(tests)]:
        path = pathlib.Path(arg.split("::", 1)[0])
        path = (pathlib.Path(config.invocation_params.dir) / path).resolve()
        if path == tests or tests not in path.parents:
            return None
        folders.add(path.relative_to(tests).parts[0])
    if "integration" in folders:  # cross-distribution flows reuse the core test apps
        folders.add("core")
    return folders


def _test_apps(folders: set[str] | None) -> list[str]:
    """Django apps of the tests: any ``tests/<folder>/**/apps.py`` of the folders in the run,
    added when the folder's distribution is installed (labels must be unique across folders).
    A run of one folder (the install matrix runs each distribution's own) loads only its apps."""
    owners = {
        "core": "restflow.views",
        "serializers": "restflow.serializers",
        "filters": "restflow.filters",
        "caching": "restflow.caching",
        "auth": "restflow.authentication",
        "spectacular": "restflow.spectacular",
        "integration": "restflow.caching",
    }
    apps = []
    for folder, module in owners.items():
        if not installed(module) or (folders is not None and folder not in folders):
            continue
        for apps_py in sorted((ROOT / "tests" / folder).rglob("apps.py")):
            rel = apps_py.parent.relative_to(ROOT)
            apps.append(".".join(rel.parts))
    return apps


def _optional_apps() -> list[str]:
    candidates = [
        ("restflow.caching", "restflow.caching.apps"),
        ("restflow.authentication", "restflow.authentication.apps"),
        ("drf_spectacular", "drf_spectacular"),
    ]
    return [app for app, probe in candidates if installed(probe)]


def _databases(db: str) -> dict:
    if db == "postgres":
        return {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": os.environ.get("RESTFLOW_PG_NAME", "test"),
                "USER": os.environ.get("RESTFLOW_PG_USER", "postgres"),
                "HOST": "127.0.0.1",
                "PORT": "5432",
                "TEST": {"NAME": f"test_restflow_{RUN_ID}"},
            }
        }
    return {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}


def _caches() -> dict:
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": RUN_ID},
    }
    if installed("redis") and service_reachable("redis"):
        caches["redis"] = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": RUN_ID,
        }
        if installed("django_redis"):
            caches["django_redis"] = {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": RUN_ID,
            }
    return caches


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    db = config.getoption("--db")
    if db == "postgres" and not service_reachable("postgres"):
        raise pytest.UsageError("--db=postgres: nothing answers on 127.0.0.1:5432")
    config.restflow_db = db  # type: ignore[attr-defined]
    if settings.configured:
        return
    settings.configure(
        DEBUG=False,
        SECRET_KEY="restflow-tests-not-secret",
        ALLOWED_HOSTS=["*"],
        USE_TZ=True,
        DATABASES=_databases(db),
        CACHES=_caches(),
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
            "rest_framework",
            *_optional_apps(),
            *_test_apps(_folders_in_run(config)),
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        ROOT_URLCONF="tests.urls",
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        REST_FRAMEWORK={"TEST_REQUEST_DEFAULT_FORMAT": "json"},
        RESTFLOW_SETTINGS={},
    )


def _uses_db(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") or item.get_closest_marker("postgres"):
        return True
    return bool(DB_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    db = config.restflow_db  # type: ignore[attr-defined]
    keep, drop = [], []
    for item in items:
        if _uses_db(item):
            item.add_marker(pytest.mark.db)
        # PostgreSQL-only tests belong to the --db=postgres pass; the SQLite pass leaves
        # them out rather than skipping them, so CI shows no skip for them.
        if item.get_closest_marker("postgres") and db != "postgres":
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_runtest_setup(item: pytest.Item) -> None:
    for name in ("redis", "rabbitmq"):
        if item.get_closest_marker(name) and not service_reachable(name):
            message = f"{name} is not reachable on {SERVICES[name][0]}:{SERVICES[name][1]}"
            if REQUIRE_SERVICES:
                pytest.fail(f"{message} and RESTFLOW_REQUIRE_SERVICES=1", pytrace=False)
            pytest.skip(message)
    if item.get_closest_marker("redis") and not installed("redis"):
        message = "the redis client library is not installed"
        if REQUIRE_SERVICES:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="session", autouse=True)
def _release_postgres_test_database(request: pytest.FixtureRequest):
    """Let pytest-django drop the PostgreSQL test database at the end of the run.

    The async ORM leaves connections open in asgiref's worker threads, which this thread
    cannot close; PostgreSQL refuses to drop a database in use. Set up after the test
    database, this fixture is torn down before it and ends those sessions.
    """
    if request.config.restflow_db != "postgres":  # type: ignore[attr-defined]
        yield
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    yield
    from django.db import connection

    with blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def redis_url() -> str:
    """URL of the Redis database the tests may use; keys must carry ``run_id``."""
    return REDIS_URL


@pytest.fixture
def run_id() -> str:
    return RUN_ID
