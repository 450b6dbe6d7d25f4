"""Layers point one way: core <- models/schemas <- ai <- services <- api/worker/cli/demo/mcp.

Every import in pifai/, at the top of a module or inside a function, is read with `ast`;
a module may import its own layer and the ones below it, and `pifai.domain` (the shared
vocabulary) from anywhere."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "pifai"

LAYERS: dict[str, int] = {
    "domain": -1,  # importable from every layer; imports nothing of ours
    "core": 0,
    "models": 1,
    "schemas": 1,
    "data": 1,
    "ai": 2,
    "services": 3,
    "api": 4,
    "worker": 4,
    "cli": 4,
    "demo": 4,  # an entry point: starts the app and drives it over HTTP
    "mcp_servers": 4,
    "main": 4,
}


def layer_of(module: str) -> tuple[str, int] | None:
    """The layer of a dotted `pifai...` module name (None for `pifai` itself)."""
    parts = module.split(".")
    if parts[0] != "pifai" or len(parts) < 2:
        return None
    name = parts[1]
    if name not in LAYERS:
        raise AssertionError(f"{module}: pifai.{name} is in no layer; add it to LAYERS")
    return name, LAYERS[name]


def module_name(path: Path, root: Path = PACKAGE) -> str:
    relative = path.relative_to(root.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, module: str) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing package
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((node.lineno, target))
    return sorted((line, name) for line, name in found if name.startswith("pifai"))


def wrong_way_imports(root: Path = PACKAGE) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        own = layer_of(module)
        if own is None:
            continue
        own_name, own_level = own
        for line, target in imported_modules(path, module):
            other = layer_of(target)
            if other is None:
                continue
            other_name, other_level = other
            if other_name == "domain" or (other_level <= own_level and own_name != "domain"):
                continue
            problems.append(f"{path.relative_to(root.parent)}:{line}: {own_name} imports {target}")
    return problems


def test_no_module_imports_from_a_higher_layer() -> None:
    assert wrong_way_imports() == []


def test_the_walk_sees_every_kind_of_import(tmp_path: Path) -> None:
    """The checker itself catches top-level, function-level and relative imports."""
    root = tmp_path / "pifai"
    (root / "core").mkdir(parents=True)
    (root / "services").mkdir()
    probe = root / "core" / "probe.py"
    probe.write_text(
        "from pifai.services import products\n"
        "def f():\n"
        "    import pifai.api.deps\n"
        "from ..services import runtime\n"
        "from pifai.domain import ProductType\n"
        "from pifai.core import errors\n",
        encoding="utf-8",
    )
    (root / "services" / "ok.py").write_text("from pifai.core import errors\n", encoding="utf-8")
    targets = [name for _, name in imported_modules(probe, module_name(probe, root))]
    assert targets == [
        "pifai.services",
        "pifai.api.deps",
        "pifai.services",
        "pifai.domain",
        "pifai.core",
    ]
    assert wrong_way_imports(root) == [
        "pifai/core/probe.py:1: core imports pifai.services",
        "pifai/core/probe.py:3: core imports pifai.api.deps",
        "pifai/core/probe.py:4: core imports pifai.services",
    ]


def test_every_package_is_in_a_layer() -> None:
    names = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    names |= {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert sorted(names - set(LAYERS)) == []


def test_benches_do_not_import_the_tests() -> None:
    """bench/ has fixtures of its own: a benchmark must not depend on test modules."""
    bench = PACKAGE.parent / "bench"
    found = []
    for path in sorted(bench.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "tests"]
    assert found == []
