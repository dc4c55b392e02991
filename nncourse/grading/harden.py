"""Test code made harder to fool, learner code scanned for tampering, hidden tests kept hidden.

``test_code`` rewrites a test's ``assert`` statements so that what they compare is first made
plain data inside the kernel (``guard.plain``): an object whose ``__eq__`` is always true, or a
fake array answering ``np.array_equal``, then fails instead of passing. An assert that compares
or calls a numpy predicate becomes a ``guard.judged`` call, recorded so that the grader judges
it again outside the kernel (``evidence``). ``finished`` is the
line appended to every test: a test passes only if the kernel reports the fresh nonce it sets,
which code swallowing the test's exception never reaches. ``flags`` names the tampering
techniques a learner's code uses (a human should look), and ``redact`` keeps hidden test code
out of messages.
"""

from __future__ import annotations

import ast
import re

from nncourse.grading.evidence import OPERATORS, PREDICATES
from nncourse.grading.guard import JUDGED, PLAIN

DONE = "_nncourse_test_finished"
MIN_SECRET_CHARS = 8
FLAGS = {
    "IPython's hooks": r"input_transformers|ast_transformers|set_custom_exc|showtraceback"
    r"|events\.register|\brun_cell\b|InteractiveShell|get_ipython\(\)\.\w+\s*=(?!=)",
    "exception, trace or audit hooks": r"sys\.(excepthook|settrace|setprofile|addaudithook)"
    r"|threading\.set(trace|profile)",
    "stack frames": r"_getframe|currentframe|\bf_back\b|\bf_locals\b|\bf_globals\b|inspect\.stack",
    "the garbage collector": r"gc\.get_(objects|referrers|referents)",
    "comparison or array hooks": r"__array_function__|__array_ufunc__|__array__|__array_interface__"
    r"|def __(eq|ne|bool|float|index|len|contains|instancecheck)__",
    "builtins": r"\bbuiltins\b|__builtins__",
    "the grader or the checks": r"nncourse\.(grading|checks)|_nncourse|CheckFailed"
    r"|\bcheck_\w+\s*=(?!=)",
    "changes to numpy": r"\b(np|numpy)(\.\w+)+\s*=(?!=)|setattr\(\s*(np|numpy)\b",
    "sys.modules or the import system": r"sys\.(modules|meta_path|path_hooks)|importlib\.reload",
    "ctypes": r"\bctypes\b",
    "code objects": r"__code__|__wrapped__|__closure__|__globals__|__(kw)?defaults__",
}


def test_code(source: str) -> str:
    """``source`` with each assert's comparisons and numpy-call arguments made plain data."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source  # IPython syntax (a magic): left as written
    tree = _Asserts(source).visit(tree)
    return ast.unparse(ast.fix_missing_locations(tree))


class _Asserts(ast.NodeTransformer):
    def __init__(self, source: str) -> None:
        self.source = source

    def visit_Assert(self, node: ast.Assert) -> ast.Assert:
        node.test = _judged(_Plain(self.source).visit(node.test))
        return node


def _judged(test: ast.expr) -> ast.expr:
    """``[not] a <op> b`` or ``[not] np.<predicate>(...)`` as a ``guard.judged`` call, which
    records it for the grader to judge again outside the kernel; anything else unchanged."""
    negate = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    inner = test.operand if negate else test
    if isinstance(inner, ast.Compare) and len(inner.ops) == 1:
        op = type(inner.ops[0]).__name__
        if op not in OPERATORS:
            return test
        args = [ast.Constant("compare"), ast.Constant(op), inner.left, inner.comparators[0]]
    elif isinstance(inner, ast.Call) and _predicate(inner):
        keywords = inner.keywords
        args = [ast.Constant("numpy"), ast.Constant(inner.func.attr), ast.List(inner.args)]
        args.append(ast.Dict([ast.Constant(k.arg) for k in keywords], [k.value for k in keywords]))
    else:
        return test
    call = ast.Call(ast.Name(JUDGED, ast.Load()), [*args, ast.Constant(negate)], [])
    return ast.copy_location(call, test)


def _predicate(call: ast.Call) -> bool:
    func = call.func
    plain_args = not any(isinstance(a, ast.Starred) for a in call.args)
    plain_args = plain_args and all(k.arg is not None for k in call.keywords)
    return (
        plain_args
        and isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in {"np", "numpy"}
        and func.attr in PREDICATES
    )


class _Plain(ast.NodeTransformer):
    """Wraps comparison operands and arguments of ``np.*`` calls in ``_nncourse_plain(...)``."""

    def __init__(self, source: str) -> None:
        self.source = source

    def visit_Compare(self, node: ast.Compare) -> ast.Compare:
        self.generic_visit(node)
        if all(isinstance(op, ast.Is | ast.IsNot) for op in node.ops):
            return node  # identity cannot be faked
        node.left = self._wrap(node.left)
        node.comparators = [self._wrap(c) for c in node.comparators]
        return node

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        if _numpy_function(node.func):
            node.args = [a if isinstance(a, ast.Starred) else self._wrap(a) for a in node.args]
            for keyword in node.keywords:
                keyword.value = self._wrap(keyword.value)
        return node

    def _wrap(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Constant):
            return node
        text = ast.get_source_segment(self.source, node) or "a value"
        call = ast.Call(ast.Name(PLAIN, ast.Load()), [node, ast.Constant(text)], [])
        return ast.copy_location(call, node)


def _numpy_function(func: ast.expr) -> bool:
    while isinstance(func, ast.Attribute):
        func = func.value
        if isinstance(func, ast.Name):
            return func.id in {"np", "numpy"}
    return False


def finished(nonce: str) -> str:
    """The line appended to a test: reached only if everything before it ran."""
    return f"\n{DONE} = {nonce!r}\n"


def flags(sources: list[str]) -> list[str]:
    """The tampering techniques that learner code (``sources``) uses, by name."""
    text = "\n".join(sources)
    return [name for name, pattern in FLAGS.items() if re.search(pattern, text)]


def secret_lines(hidden_sources: list[str]) -> set[str]:
    """Lines of hidden test code, as written and as sent (``test_code``), in the form ``redact``
    compares: without spaces, quotes or backslashes. Short lines are left out."""
    sources = hidden_sources + [test_code(source) for source in hidden_sources]
    lines = {_bare(line) for source in sources for line in source.split("\n")}
    return {line for line in lines if len(line) >= MIN_SECRET_CHARS}


def redact(text: str, secrets: set[str]) -> str:
    """``text``, or a notice if it quotes a line of hidden test code (however it is quoted)."""
    bare = _bare(text)
    if any(secret in bare for secret in secrets):
        return "(message withheld: it quotes a hidden test)"
    return text


def _bare(text: str) -> str:
    return re.sub(r"[\s'\"\\]", "", text)
