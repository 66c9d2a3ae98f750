"""docs/threats.md case 19: static rules over shop/ that keep request state from leaking across
requests (GitHub 2021: a shared hash between requests; ChatGPT 2023: a pooled connection handed
one user's reply to another).

- no module-level object is mutated from inside a function (no shared per-request state),
  and no `global` statement;
- no functools.lru_cache / functools.cache on a function that takes a request, a user, a
  viewer, a principal or a session;
- every server-side cache call takes its key from shop/core/cache_keys.py.

Each rule has a self-test on a planted snippet, so the rule itself can fail.
"""

import ast
from pathlib import Path

import pytest

SHOP = Path(__file__).resolve().parents[2] / "shop"
USER_SHAPED = {"request", "user", "viewer", "principal", "session", "customer", "owner"}
MUTATORS = {
    "append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem",
    "clear", "remove", "discard", "__setitem__",
}
CACHE_OPS = {
    "get", "set", "add", "delete", "get_or_set", "incr", "decr", "touch", "has_key",
    "get_many", "set_many", "delete_many",
}
KEY_MODULE = "shop.core.cache_keys"


def source_files() -> list[Path]:
    return sorted(p for p in SHOP.rglob("*.py") if "migrations" not in p.parts)


def _module_level_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                names.add(target.id)
    return names


def shared_state_violations(tree: ast.Module) -> list[str]:
    module_names = _module_level_names(tree)
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        local = {a.arg for a in func.args.args + func.args.kwonlyargs + func.args.posonlyargs}
        for node in ast.walk(func):
            if isinstance(node, ast.Global):
                found.append(f"line {node.lineno}: `global {', '.join(node.names)}`")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if (
                    isinstance(owner, ast.Name)
                    and owner.id in module_names
                    and owner.id not in local
                    and node.func.attr in MUTATORS
                ):
                    found.append(f"line {node.lineno}: module-level `{owner.id}` mutated")
            elif isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if (
                        isinstance(target, ast.Subscript | ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id in module_names
                        and target.value.id not in local
                    ):
                        found.append(
                            f"line {node.lineno}: module-level `{target.value.id}` mutated"
                        )
    return found


def _decorator_name(decorator: ast.expr) -> str:
    if isinstance(decorator, ast.Call):
        decorator = decorator.func
    if isinstance(decorator, ast.Attribute):
        return decorator.attr
    if isinstance(decorator, ast.Name):
        return decorator.id
    return ""


def memoized_user_shaped_violations(tree: ast.Module) -> list[str]:
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        memoized = {_decorator_name(d) for d in func.decorator_list} & {"lru_cache", "cache"}
        if not memoized:
            continue
        args = func.args.args + func.args.kwonlyargs + func.args.posonlyargs
        names = {a.arg for a in args}
        annotations = {ast.unparse(a.annotation).lower() for a in args if a.annotation}
        shaped = names & USER_SHAPED or {
            word for word in USER_SHAPED for text in annotations if word in text
        }
        if shaped:
            found.append(f"line {func.lineno}: `{func.name}` memoized on {sorted(shaped)}")
    return found


def _key_functions(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names imported from the key module, and aliases of the module itself."""
    functions, modules = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == KEY_MODULE:
            functions |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module == "shop.core":
            modules |= {a.asname or a.name for a in node.names if a.name == "cache_keys"}
        elif isinstance(node, ast.ImportFrom) and node.level and node.module in (
            "cache_keys", None
        ):
            modules |= {a.asname or a.name for a in node.names if a.name == "cache_keys"}
            if node.module == "cache_keys":
                functions |= {alias.asname or alias.name for alias in node.names}
    return functions, modules


def _is_key_call(node: ast.expr, functions: set[str], modules: set[str]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in functions
    return isinstance(func, ast.Attribute) and (
        isinstance(func.value, ast.Name) and func.value.id in modules
    )


def cache_key_violations(tree: ast.Module, path: Path | None = None) -> list[str]:
    if path is not None and path.as_posix().endswith("shop/core/cache_keys.py"):
        return []
    functions, modules = _key_functions(tree)
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        key_vars = {
            target.id
            for node in ast.walk(func)
            if isinstance(node, ast.Assign) and _is_key_call(node.value, functions, modules)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(func):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CACHE_OPS
            ):
                continue
            owner = node.func.value
            is_cache = (isinstance(owner, ast.Name) and owner.id == "cache") or (
                isinstance(owner, ast.Subscript)
                and isinstance(owner.value, ast.Name)
                and owner.value.id == "caches"
            )
            if not is_cache or not node.args:
                continue
            key = node.args[0]
            ok = _is_key_call(key, functions, modules) or (
                isinstance(key, ast.Name) and key.id in key_vars
            )
            if not ok:
                found.append(f"line {node.lineno}: cache.{node.func.attr}() key not from "
                             f"{KEY_MODULE}")
    return found


RULES = {
    "shared state": shared_state_violations,
    "memoized on a user": memoized_user_shaped_violations,
    "cache key": cache_key_violations,
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_shop_code_follows_rule(rule):
    check = RULES[rule]
    problems = []
    for path in source_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        args = (tree, path) if check is cache_key_violations else (tree,)
        problems += [f"{path.relative_to(SHOP.parent)} {p}" for p in check(*args)]
    assert problems == [], f"{rule} rule broken:\n" + "\n".join(problems)


PLANTED = {
    "shared state": [
        "LAST = {}\ndef view(request):\n    LAST[request.user.pk] = request.path\n",
        "SEEN = []\ndef view(request):\n    SEEN.append(request)\n",
        "current = None\ndef view(request):\n    global current\n    current = request\n",
    ],
    "memoized on a user": [
        "from functools import lru_cache\n@lru_cache\ndef orders(user):\n    return user\n",
        "import functools\n@functools.cache\ndef page(request):\n    return 1\n",
        "from functools import lru_cache\n@lru_cache(maxsize=9)\ndef f(x: 'Principal'):\n"
        "    return x\n",
    ],
    "cache key": [
        "from django.core.cache import cache\ndef f(user):\n"
        "    return cache.get(f'orders:{user.pk}')\n",
        "from django.core.cache import cache\ndef f():\n    cache.set('orders', 1)\n",
        "from django.core.cache import caches\ndef f(k):\n    caches['default'].delete(k)\n",
    ],
}
ALLOWED = {
    "shared state": "ROUTES = {'a': 1}\ndef f(request):\n    return ROUTES.get('a')\n",
    "memoized on a user": "from functools import lru_cache\n@lru_cache\ndef f(slug):\n"
    "    return slug\n",
    "cache key": "from django.core.cache import cache\nfrom shop.core import cache_keys\n"
    "def f(user):\n    key = cache_keys.denied_jti(user)\n    cache.get(key)\n"
    "    cache.set(cache_keys.denied_jti(user), 1)\n",
}


@pytest.mark.parametrize(
    ("rule", "snippet"), [(rule, s) for rule, snippets in PLANTED.items() for s in snippets]
)
def test_rule_catches_planted_violation(rule, snippet):
    check = RULES[rule]
    assert check(ast.parse(snippet)), f"{rule} rule missed:\n{snippet}"


@pytest.mark.parametrize("rule", sorted(ALLOWED))
def test_rule_allows_the_right_way(rule):
    assert RULES[rule](ast.parse(ALLOWED[rule])) == []
