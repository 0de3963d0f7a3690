"""The public API is curated: ``__all__`` lists exactly the public names, each documented."""

from __future__ import annotations

import inspect
import types

import microgrand

LEARNING_MODULES = {"data", "init", "losses", "nn", "optim"}


def test_all_lists_exactly_the_public_names() -> None:
    public = {
        name
        for name, obj in vars(microgrand).items()
        if not name.startswith("_") and (not isinstance(obj, types.ModuleType) or callable(obj))
    }  # microgrand.playground is a function until its package is imported, then a callable module
    public.add("__version__")
    assert sorted(microgrand.__all__) == sorted(public | LEARNING_MODULES)


def test_exported_submodules_are_documented_modules() -> None:
    for name in LEARNING_MODULES:
        obj = getattr(microgrand, name)
        assert isinstance(obj, types.ModuleType) and obj.__name__ == f"microgrand.{name}"
        assert obj.__doc__, f"module microgrand.{name} has no docstring"


def test_importing_the_package_stays_light() -> None:
    # plotting is imported on demand (from microgrand import plots), not by `import microgrand`
    import subprocess
    import sys

    code = "import sys, microgrand; print('matplotlib' in sys.modules, 'sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_every_public_callable_has_a_docstring_with_an_example() -> None:
    missing = []
    for name in microgrand.__all__:
        obj = getattr(microgrand, name)
        if isinstance(obj, types.ModuleType) or not callable(obj):
            continue
        doc = inspect.getdoc(obj) or ""
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert doc, f"exception {name} has no docstring"
            continue  # exceptions need a docstring that says when they are raised
        if "Example" not in doc and ">>>" not in doc:
            missing.append(name)
    assert not missing, f"public callables without an example in their docstring: {missing}"
