"""The ``nncourse`` command: release exercises, grade submissions, merge sheets, validate.

    nncourse release [--source solutions] [--out exercises] [--check]
    nncourse grade SUBMISSION... [--out grades.csv] [--feedback DIR] [--jobs N] [--shard i/n]
                   [--timeout S] [--cell-timeout S] [--memory MB] [--max-size MB]
    nncourse merge SHEET... --out grades.csv
    nncourse validate [--source solutions] [--exercises exercises] [--jobs 2]
    nncourse nbgrader-export DIR [--source solutions]

See docs/instructor-guide.md for the whole workflow.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections import Counter
from pathlib import Path

from nncourse.grading import feedback, nbgrader, release, sandbox, sheet
from nncourse.grading.batch import grade_all, shard
from nncourse.grading.discover import find_sources, find_submissions
from nncourse.grading.grade import Options
from nncourse.grading.notebook import NotebookError, check_source, read_notebook
from nncourse.grading.validate import validate_course


def cmd_release(args: argparse.Namespace) -> int:
    if args.check:
        problems = release.stale(args.source, args.out)
        for problem in problems:
            print(f"stale: {problem}", file=sys.stderr)
        hint = f"; run `nncourse release --source {args.source} --out {args.out}`"
        print(f"{args.out} is {'out of date' + hint if problems else 'up to date'}")
        return 1 if problems else 0
    try:
        changed = release.release(args.source, args.out)
    except (ValueError, NotebookError) as err:
        print(f"cannot release: {err}", file=sys.stderr)
        return 1
    print(f"{len(changed)} exercise(s) written to {args.out}" if changed else "nothing changed")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    sources = find_sources(args.source)
    problems = [f"{path}: {p}" for path in sources.values() for p in _source_problems(path)]
    if not sources or problems:
        print("\n".join(problems) or f"no solution notebooks in {args.source}", file=sys.stderr)
        return 2
    submissions = find_submissions(args.submissions, set(sources))
    if not submissions:
        print(f"no notebooks found in {' '.join(args.submissions)}", file=sys.stderr)
        return 2
    if args.shard:
        submissions = shard(submissions, *args.shard)
    options = _options(args)
    cache_dir = None if args.no_cache else args.cache
    stream = None if args.quiet else sys.stderr
    conf = sandbox.probe([str(p) for p in _private_paths(args, cache_dir)])
    for warning in conf.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    try:
        with _terminate_as_interrupt():
            rows, counts = grade_all(
                submissions, sources, options, args.jobs, cache_dir, stream, conf
            )
    except KeyboardInterrupt:
        saved = f"finished results are in {cache_dir}; " if cache_dir else ""
        print(f"\ninterrupted: no grade sheet written; {saved}run again to resume", file=sys.stderr)
        return 130
    sheet.write_sheet(sheet.flatten(rows), args.out)
    if args.feedback:
        feedback.write_feedback(args.feedback, rows)
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(Counter(r["status"] for r in rows).items()))
    print(
        f"{len(rows)} submission(s), {counts['cached']} from the cache: {statuses or 'none'}"
        f" -> {args.out}",
        file=sys.stderr,
    )
    return 0


def _options(args: argparse.Namespace) -> Options:
    return Options(
        timeout=args.timeout,
        cell_timeout=args.cell_timeout,
        memory_mb=args.memory,
        max_notebook_mb=getattr(args, "max_size", Options.max_notebook_mb),
    )


def _private_paths(args: argparse.Namespace, cache_dir: Path | None) -> list[Path]:
    """What learner code must not see: solutions, submissions, the cache, sheets, feedback."""
    paths = [args.source, *map(Path, args.submissions), args.out, args.out.with_suffix(".json")]
    return paths + [p for p in (cache_dir, args.feedback) if p]


class _terminate_as_interrupt:
    """SIGTERM raises KeyboardInterrupt, as Ctrl-C does, so both stop a batch the same way.

    SIGINT gets Python's own handler back even when the grader was started with SIGINT ignored
    (as ``nohup`` and some job runners do): Ctrl-C must always stop a batch cleanly.
    """

    def __enter__(self) -> None:
        self.previous = signal.signal(signal.SIGTERM, self._raise)
        self.previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)

    def __exit__(self, *exc) -> None:
        signal.signal(signal.SIGTERM, self.previous)
        signal.signal(signal.SIGINT, self.previous_int)

    @staticmethod
    def _raise(signum, frame):
        raise KeyboardInterrupt


def _source_problems(path: Path) -> list[str]:
    try:
        return check_source(read_notebook(path))
    except NotebookError as err:
        return [str(err)]


def cmd_merge(args: argparse.Namespace) -> int:
    try:
        rows = sheet.merge(args.sheets)
    except (ValueError, KeyError, OSError) as err:
        print(f"cannot merge: {err}", file=sys.stderr)
        return 1
    sheet.write_sheet(rows, args.out)
    print(f"{len(rows)} row(s) -> {args.out}", file=sys.stderr)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    options = _options(args)
    problems = validate_course(args.source, args.exercises, options, args.jobs)
    for problem in problems:
        print(f"FAIL {problem}")
    count = len(find_sources(args.source))
    print(f"{len(problems)} problem(s)" if problems else f"OK: {count} assignment(s) validated")
    return 1 if problems else 0


def cmd_nbgrader_export(args: argparse.Namespace) -> int:
    config = nbgrader.export(args.source, args.dir)
    print(f"nbgrader course directory ready: {args.dir} (settings in {config})")
    return 0


def parse_shard(text: str) -> tuple[int, int]:
    """'2/5' -> (2, 5), shard 2 of 5, counted from 1."""
    try:
        index, count = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected i/n, got {text!r}") from None
    if not 1 <= index <= count:
        raise argparse.ArgumentTypeError(f"need 1 <= i <= n, got {text!r}")
    return index, count


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nncourse", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="generate exercises/ from solutions/")
    rel.add_argument("--out", type=Path, default=Path("exercises"))
    rel.add_argument("--check", action="store_true", help="only check that exercises/ is current")
    grade = sub.add_parser("grade", help="grade notebooks, folders or an nbgrader submitted/ tree")
    grade.add_argument("submissions", nargs="+")
    grade.add_argument("--out", type=Path, default=Path("grades.csv"), help="CSV; JSON beside it")
    grade.add_argument("--feedback", type=Path, help="write <DIR>/<student>/<assignment>.html")
    grade.add_argument("--shard", type=parse_shard, help="grade only shard i of n (e.g. 1/4)")
    grade.add_argument("--cache", type=Path, default=Path(".cache/grading"))
    grade.add_argument("--no-cache", action="store_true", help="regrade everything")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    grade.add_argument(
        "--max-size", type=float, default=Options.max_notebook_mb, help="MB: bigger is invalid"
    )
    merge = sub.add_parser("merge", help="combine grade sheets (e.g. from shards)")
    merge.add_argument("sheets", nargs="+", type=Path)
    merge.add_argument("--out", type=Path, required=True)
    val = sub.add_parser("validate", help="solutions earn full marks, exercises zero and current")
    val.add_argument("--exercises", type=Path, default=Path("exercises"))
    export = sub.add_parser("nbgrader-export", help="lay out a course directory for nbgrader")
    export.add_argument("dir", type=Path)
    for command, jobs in ((rel, None), (grade, 1), (val, 2), (export, None)):
        command.add_argument("--source", type=Path, default=Path("solutions"))
        if jobs:
            command.add_argument("--jobs", type=int, default=jobs, help="parallel kernels")
            command.add_argument("--timeout", type=float, default=600.0, help="s per notebook")
            command.add_argument("--cell-timeout", type=float, default=120.0, help="s per cell")
            command.add_argument(
                "--memory", type=int, default=Options.memory_mb, help="MB per kernel (RLIMIT_DATA)"
            )
    for command, func in (
        (rel, cmd_release),
        (grade, cmd_grade),
        (merge, cmd_merge),
        (val, cmd_validate),
        (export, cmd_nbgrader_export),
    ):
        command.set_defaults(func=func)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``nncourse`` console script."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
