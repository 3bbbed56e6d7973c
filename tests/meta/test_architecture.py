"""The monorepo's own rules (ARCHITECTURE.md), checked statically on every run."""

from __future__ import annotations

import ast
import pathlib
import re
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

import pytest

PACKAGES = pathlib.Path(__file__).resolve().parents[2] / "packages"


def _distributions() -> dict[str, dict]:
    found = {}
    for pyproject in sorted(PACKAGES.glob("*/pyproject.toml")):
        found[pyproject.parent.name] = tomllib.loads(pyproject.read_text())
    return found


DISTS = _distributions()


def _owned_modules(dist: str) -> set[str]:
    """Top-level restflow packages a distribution ships (``restflow.caching`` ...)."""
    src = PACKAGES / dist / "src" / "restflow"
    owned = set()
    for init in src.rglob("__init__.py"):
        rel = init.parent.relative_to(src.parent)
        parts = rel.parts
        # The first regular package below the namespaces is what the distribution owns.
        for depth in range(2, len(parts) + 1):
            if (src.parent.joinpath(*parts[:depth]) / "__init__.py").exists():
                owned.add(".".join(parts[:depth]))
                break
    return owned


OWNER = {module: dist for dist in DISTS for module in _owned_modules(dist)}


def _declared(dist: str) -> set[str]:
    deps = DISTS[dist]["project"].get("dependencies", [])
    names = {re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0].strip().lower() for d in deps}
    return names | {dist}


def _imports(path: pathlib.Path) -> set[str]:
    """restflow modules imported at module level or inside functions (not lazy strings)."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name.startswith("restflow.")}


def _owner_of(module: str) -> str | None:
    parts = module.split(".")
    for depth in range(len(parts), 1, -1):
        owner = OWNER.get(".".join(parts[:depth]))
        if owner:
            return owner
    return None


def _soft_links(path: pathlib.Path) -> set[str]:
    """Modules imported inside a try/except ImportError: lazy links to optional neighbours."""
    tree = ast.parse(path.read_text())
    soft = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            isinstance(h.type, ast.Name) and h.type.id in {"ImportError", "ModuleNotFoundError"}
            for h in node.handlers
        ):
            for inner in node.body:
                for sub in ast.walk(inner):
                    if isinstance(sub, ast.ImportFrom) and sub.module:
                        soft.add(sub.module)
                    elif isinstance(sub, ast.Import):
                        soft.update(a.name for a in sub.names)
    return soft


@pytest.mark.parametrize("dist", sorted(DISTS))
def test_distribution_imports_only_declared_neighbours(dist: str) -> None:
    src = PACKAGES / dist / "src"
    problems = []
    for path in src.rglob("*.py"):
        soft = _soft_links(path)
        for module in _imports(path) - soft:
            owner = _owner_of(module)
            if owner and owner not in _declared(dist):
                problems.append(f"{path.relative_to(PACKAGES)} imports {module} ({owner})")
    assert not problems, "undeclared restflow imports:\n" + "\n".join(problems)


@pytest.mark.parametrize("dist", sorted(DISTS))
def test_no_distribution_ships_namespace_init(dist: str) -> None:
    for namespace in ("restflow", "restflow/dispatch"):
        assert not (PACKAGES / dist / "src" / namespace / "__init__.py").exists(), (
            f"{dist} ships {namespace}/__init__.py: restflow must stay a PEP 420 namespace"
        )


def test_every_package_directory_has_one_owner() -> None:
    seen: dict[str, str] = {}
    for dist in DISTS:
        for module in _owned_modules(dist):
            assert module not in seen, f"{module} is shipped by {seen[module]} and {dist}"
            seen[module] = dist


@pytest.mark.parametrize("dist", sorted(DISTS))
def test_distribution_skeleton_is_uniform(dist: str) -> None:
    folder = PACKAGES / dist
    for name in ("pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE"):
        assert (folder / name).is_file(), f"{dist} has no {name}"
    project = DISTS[dist]["project"]
    assert DISTS[dist]["build-system"]["build-backend"] == "hatchling.build"
    assert project["requires-python"] == ">=3.10"
    for dep in project.get("dependencies", []):
        if dep.startswith("restflow-"):
            assert "<" in dep, f"{dist}: pin {dep} with an upper bound"
    if dist != "drf-restflow":
        packages = [p.parent for p in (folder / "src").rglob("__init__.py")]
        tops = {p for p in packages if not (p.parent / "__init__.py").exists()}
        for package in tops:
            assert (package / "py.typed").exists(), f"{package} has no py.typed"


def test_meta_package_extras_match_the_installation_page() -> None:
    extras = DISTS["drf-restflow"]["project"]["optional-dependencies"]
    assert set(extras) == {
        "redis",
        "celery",
        "django-rq",
        "django-q",
        "dramatiq",
        "postgres",
        "postgres-psycopg3",
        "simplejwt",
        "spectacular",
    }


def test_dispatcher_entry_points_are_declared() -> None:
    names = {}
    for dist, data in DISTS.items():
        group = data["project"].get("entry-points", {}).get("restflow.dispatchers", {})
        for name in group:
            names[name] = dist
    assert names == {
        "inline": "restflow-caching",
        "threadpool": "restflow-caching",
        "asyncio": "restflow-caching",
        "celery": "restflow-dispatch-celery",
        "django_rq": "restflow-dispatch-rq",
        "django_q": "restflow-dispatch-django-q",
        "dramatiq": "restflow-dispatch-dramatiq",
    }
