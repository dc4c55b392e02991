"""The grader's code inside a grading kernel: set-up before the learner's code, a guard per test.

``install`` runs first in every grading kernel. It seeds the random generators and makes
unseeded numpy / ``random`` calls deterministic, turns shell escapes (``!cmd``, ``%pip``,
``%%bash``) and ``exit()`` into no-ops, wraps ``nncourse.checks`` so that checks only ever see
plain data, and keeps pristine references: builtins, the numpy and nncourse modules, the import
system and IPython's input and error hooks. ``restore`` runs before every test and puts all of
it back, with the functions and modules the read-only cells defined (``after_read_only``
records them); ``reap`` collects the children the grader killed.

This raises the cost of tampering; it cannot stop code that targets this module (it runs in the
same process). What it does and does not defend: docs/grader-threat-model.md.
"""

from __future__ import annotations

import builtins
import functools
import inspect
import os
import random
import sys
import threading
import types

from nncourse.grading import evidence

PLAIN = "_nncourse_plain"  # the name test code (rewritten by ``harden``) calls
JUDGED = "_nncourse_judged"  # ... and the name its asserts call
GUARDED = ("numpy", "nncourse", "random", "math", "builtins")
PRELOAD = ("numpy", "nncourse.checks", "nncourse.gradcheck", "nncourse.activations")
PRELOAD += ("nncourse.losses", "nncourse.layers", "nncourse.models", "nncourse.optimizers")
PRELOAD += ("nncourse.initializers", "nncourse.metrics", "nncourse.regularizers")
PRELOAD += ("nncourse.callbacks", "nncourse.autodiff", "nncourse.neuron", "nncourse.datasets")
SHELL_METHODS = ("run_cell", "run_cell_async", "run_code", "run_ast_nodes", "transform_cell")
SHELL_METHODS += ("showtraceback", "showsyntaxerror", "user_expressions", "should_run_async")
ESCAPES = {"line": ("sx", "system", "pip", "conda", "mamba", "micromamba", "uv")}
ESCAPES["cell"] = ("bash", "sh", "script", "perl", "ruby", "python2", "python3", "pypy")
TRANSFORMERS = ("input_transformers_cleanup", "input_transformers_post", "ast_transformers")
OBJECT_CHECKS = ("check_type", "check_no_overflow")
MAX_DEPTH = 32
RECORDS: list[dict] = []  # the check calls of the test now running (see evidence.py)
NESTED: list[str] = []  # the checks running now


class Guard:
    """Pristine references taken at start-up, and what ``restore`` puts back."""

    def __init__(self, shell) -> None:
        self.shell = shell
        self.builtins = dict(vars(builtins))
        self.modules: dict[str, tuple[types.ModuleType, dict]] = {}
        self._snapshot_new_modules()
        self.imports = (list(sys.meta_path), list(sys.path_hooks), list(sys.path))
        self.hooks = (sys.excepthook, sys.displayhook)
        self.ipython = {name: list(getattr(shell, name)) for name in TRANSFORMERS}
        self.events = {name: list(cbs) for name, cbs in shell.events.callbacks.items()}
        self.names: dict[str, object] = {}
        self.before: dict[str, object] = {}

    def _snapshot_new_modules(self) -> None:
        """Save the contents of numpy's and nncourse's modules not saved yet (those imported
        after start-up are saved as first seen here, which may be after a learner's change)."""
        for name, module in list(sys.modules.items()):
            if name not in self.modules and name.split(".")[0] in GUARDED:
                if isinstance(module, types.ModuleType):
                    self.modules[name] = (module, dict(vars(module)))

    def restore(self) -> None:
        """Put back everything ``__init__`` saved and ``after_read_only`` recorded."""
        vars(builtins).update(self.builtins)
        self._snapshot_new_modules()
        for name, (module, saved) in self.modules.items():
            sys.modules[name] = module
            current = vars(module)
            for key, value in saved.items():
                if current.get(key, saved) is not value:
                    current[key] = value
        sys.meta_path[:], sys.path_hooks[:], sys.path[:] = (list(x) for x in self.imports)
        sys.path_importer_cache.clear()
        sys.settrace(None)
        sys.setprofile(None)
        threading.settrace(None)
        threading.setprofile(None)
        sys.excepthook, sys.displayhook = self.hooks
        self._restore_shell()
        self.shell.user_ns.update(self.names)
        self.shell.user_ns.update(__builtins__=builtins, **{PLAIN: plain, JUDGED: judged})
        RECORDS.clear()
        NESTED.clear()

    def evidence(self) -> str:
        """The check calls of the test that just ran, as JSON for the grader to judge again."""
        return evidence.dumps(RECORDS)

    def _restore_shell(self) -> None:
        shell = self.shell
        for name, saved in self.ipython.items():
            getattr(shell, name)[:] = saved  # some are read-only properties over a list
        shell.events.callbacks.clear()
        shell.events.callbacks.update({k: list(v) for k, v in self.events.items()})
        shell.custom_exceptions = ()
        for name in SHELL_METHODS:
            vars(shell).pop(name, None)  # a method patched on the instance hides the real one

    def reap(self) -> None:
        """Collect the kernel's children the grader stopped (zombies count against the
        process limit, so a fork bomb would otherwise leave no room for a thread)."""
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass

    def before_read_only(self) -> None:
        """Called before a read-only cell runs: note what its names were."""
        self.before = dict(self.shell.user_ns)

    def after_read_only(self) -> None:
        """Called after it: remember the functions, classes and modules it (re)defined."""
        for name, value in self.shell.user_ns.items():
            if name.startswith("_") or self.before.get(name, self) is value:
                continue
            if isinstance(value, type | types.ModuleType | types.FunctionType):
                self.names[name] = value
            elif isinstance(value, types.BuiltinFunctionType | functools.partial):
                self.names[name] = value
        self.before = {}


def install(shell) -> Guard:
    """Seed, disable shell escapes, wrap the checks, save pristine references (see above)."""
    random.seed(0)
    _make_random_deterministic()
    for name in PRELOAD:
        try:
            __import__(name)
        except ImportError:
            continue
    _wrap_checks()
    _disable_escapes(shell)
    guard = Guard(shell)
    shell.user_ns[PLAIN] = plain
    shell.user_ns[JUDGED] = judged
    sys.modules[__name__].GUARD = guard
    return guard


def _make_random_deterministic() -> None:
    """Unseeded generators draw from the OS; here they draw from fixed seeds, in order."""
    seeds = iter(range(1_000_000, 2_000_000))
    seed_random = random.seed
    random.seed = lambda a=None, version=2: seed_random(0 if a is None else a, version)
    try:
        import numpy as np
    except ImportError:
        return
    np.random.seed(0)  # noqa: NPY002 - the legacy global generator is what unseeded code uses
    make, reseed = np.random.default_rng, np.random.seed

    @functools.wraps(make)
    def default_rng(seed=None):
        return make(next(seeds) if seed is None else seed)

    @functools.wraps(reseed)
    def seed(seed=None):
        return reseed(0 if seed is None else seed)

    np.random.default_rng, np.random.seed = default_rng, seed


def _disable_escapes(shell) -> None:
    """Shell commands, package installs and ``exit()`` do nothing (they say so)."""

    def disabled(*args, **kwargs):
        print("(shell commands and package installs are turned off while grading)")

    shell.ask_exit = lambda: print("(exit() is ignored while grading)")
    shell.system = shell.system_raw = shell.system_piped = disabled
    shell.getoutput = lambda *args, **kwargs: []
    for kind, names in ESCAPES.items():
        for name in names:
            shell.register_magic_function(disabled, kind, name)


def _wrap_checks() -> None:
    """Every ``nncourse.checks`` function on numbers converts its data with ``plain`` first
    (``check_type`` and ``check_no_overflow`` take objects and functions: left alone)."""
    checks = sys.modules.get("nncourse.checks")
    if checks is None:
        return
    failed = checks.CheckFailed
    for name, fn in list(vars(checks).items()):
        if name.startswith("check_") and inspect.isfunction(fn) and name not in OBJECT_CHECKS:
            setattr(checks, name, _plain_arguments(fn, failed))


def _plain_arguments(fn, failed: type) -> types.FunctionType:
    signature = inspect.signature(fn)
    data = {"value", "expected", "before", "after", "analytic", "grads", "mistakes"}

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        label = str(bound.arguments.get("name", "the value"))
        try:
            for key in data & set(bound.arguments):
                bound.arguments[key] = plain(bound.arguments[key], label)
        except TypeError as err:
            raise failed(str(err)) from None
        if not NESTED:  # a check calling another (check_close -> check_shape) is one call
            RECORDS.append(evidence.record(fn.__name__, dict(bound.arguments)))
        NESTED.append(fn.__name__)
        try:
            return fn(*bound.args, **bound.kwargs)
        finally:
            NESTED.pop()

    return checked


def judged(kind: str, name: str, left, right, negate: bool = False) -> bool:
    """An assert's condition (``evidence.assertion``), recorded for the grader to judge again."""
    args = {"kind": kind, "name": name, "left": left, "right": right, "negate": negate}
    RECORDS.append(evidence.record(evidence.ASSERT, args))
    return evidence.assertion(kind, name, left, right, negate)


def plain(value, what: str = "the value", depth: int = 0):
    """``value`` as plain data: numbers, strings, numeric arrays, and lists, tuples, sets and
    dicts of them, copied through the base types' own methods so none of the learner's code
    (``__eq__``, ``__array__``, ``__array_function__``...) can run. TypeError for anything else.
    """
    kind = type(value)
    if value is None or kind in (bool, int, float, complex, str, bytes) or kind is type:
        return value
    if depth > MAX_DEPTH:
        raise TypeError(f"{what} is nested too deeply")
    for base, copy in _BASES:
        if isinstance(value, base):
            return copy(value, what, depth + 1)
    np = sys.modules.get("numpy")
    if np is not None:
        if isinstance(value, np.ndarray):
            return _array(np, value, what)
        if kind in _numpy_scalars(np):
            return value
    if isinstance(value, types.FunctionType | types.BuiltinFunctionType):
        return value
    raise TypeError(
        f"{what} is a {kind.__name__}, not a number, a string, a numpy array or a list of them"
    )


def _array(np, value, what: str):
    dtype = np.ndarray.dtype.__get__(value)
    if dtype.kind not in "biufcUSmM":
        raise TypeError(f"{what} is an array of {dtype}, not of numbers")
    return np.array(value, copy=True, subok=False)


@functools.cache
def _numpy_scalars(np) -> frozenset:
    return frozenset(t for t in np.sctypeDict.values() if issubclass(t, np.generic))


_BASES = (
    (int, lambda v, w, d: int.__index__(v)),
    (float, lambda v, w, d: float.__float__(v)),
    (complex, lambda v, w, d: complex.__complex__(v)),
    (str, lambda v, w, d: str.__str__(v)),
    (bytes, lambda v, w, d: bytes.__bytes__(v)),
    (list, lambda v, w, d: [plain(x, w, d) for x in list.copy(v)]),
    (tuple, lambda v, w, d: tuple(plain(x, w, d) for x in tuple.__getitem__(v, slice(None)))),
    (dict, lambda v, w, d: {plain(k, w, d): plain(x, w, d) for k, x in dict.copy(v).items()}),
    (frozenset, lambda v, w, d: frozenset(plain(x, w, d) for x in frozenset.copy(v))),
    (set, lambda v, w, d: {plain(x, w, d) for x in set.copy(v)}),
)
