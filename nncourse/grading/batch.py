"""Grade many submissions: sharding, the result cache, parallel worker processes, progress.

Workers are separate processes (``--jobs``), each starting one fresh kernel per submission.
They send results back as JSON text; nothing is unpickled from a learner's kernel. Each result
is cached as soon as it arrives, so an interrupted batch (Ctrl-C, SIGTERM) loses only the
submissions being graded at that moment: the workers and their kernels are stopped, and the
next run resumes. A worker that dies is replaced and its submissions are graded once more.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import sys
from concurrent.futures import CancelledError, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from nncourse.grading import cache, sandbox
from nncourse.grading.discover import UNKNOWN, Submission, match_assignment
from nncourse.grading.grade import Options, grade_notebook, reference_checks, ungraded
from nncourse.grading.notebook import (
    NotebookError,
    autograded_points,
    parse_notebook,
    read_notebook,
    read_submission,
    tagged_cells,
)
from nncourse.grading.progress import Progress


def shard(submissions: list[Submission], index: int, count: int) -> list[Submission]:
    """Shard ``index`` of ``count`` (1-based), chosen by a hash of assignment/student/file name.

    The hash ignores where the files live, so every machine agrees on the split.
    """

    def bucket(s: Submission) -> int:
        name = f"{s.assignment}/{s.student}/{Path(s.path).name}".encode()
        return int.from_bytes(hashlib.sha256(name).digest()[:8], "big") % count

    return [s for s in submissions if bucket(s) == index - 1]


def grade_all(
    submissions: list[Submission],
    sources: dict[str, Path],
    options: Options,
    jobs: int = 1,
    cache_dir: Path | None = None,
    stream: TextIO | None = sys.stderr,
    conf: sandbox.Confinement | None = None,
) -> tuple[list[dict], dict[str, int]]:
    """(rows, counts of 'graded' and 'cached') for ``submissions`` graded against ``sources``.

    ``conf`` is how kernels are confined; by default the strongest this machine allows, hiding
    the sources, the submissions' folders and the cache from learner code.
    """
    if conf is None:
        hide = [p.parent for p in sources.values()] + [Path(s.path).parent for s in submissions]
        conf = sandbox.probe([str(p) for p in [*hide, *([cache_dir] if cache_dir else [])]])
        for warning in conf.warnings if stream else []:
            stream.write(f"warning: {warning}\n")
    rows, todo, hits = [], [], 0
    source_bytes = {name: path.read_bytes() for name, path in sources.items()}
    source_ids = {name: set(tagged_cells(read_notebook(p))) for name, p in sources.items()}
    for sub in submissions:
        sub, data, problem = _prepare(sub, sources, source_ids, options)
        if problem:
            rows.append(_ungraded(sub, sources, "invalid", problem))
            continue
        digest = cache.key(data, source_bytes[sub.assignment], asdict(options))
        hit = cache.load(cache_dir, digest)
        if hit:
            rows.append(_row(sub, hit))
            hits += 1
        else:
            todo.append((sub, data, digest))
    progress = Progress(len(todo), stream)
    refs = _stored_references(
        cache_dir, {sub.assignment for sub, _, _ in todo}, source_bytes, options
    )
    for (sub, _, digest), result in _run(todo, sources, options, conf, jobs, refs, cache_dir):
        if isinstance(result, str):
            row = _ungraded(sub, sources, "error", f"the grader failed: {result}")
        else:
            if result.pop("cacheable", True):
                cache.store(cache_dir, digest, result)
            row = _row(sub, result)
        rows.append(row)
        progress.advance(row["status"])
    rows.sort(key=lambda r: (r["assignment"], r["student"], r["submission"]))
    return rows, {"graded": len(todo), "cached": hits}


def _prepare(
    sub: Submission, sources: dict[str, Path], source_ids: dict[str, set[str]], options: Options
) -> tuple[Submission, bytes, str]:
    """(submission with its assignment resolved, file bytes, problem or '')."""
    try:
        data = read_submission(sub.path, int(options.max_notebook_mb * 2**20))
    except NotebookError as err:
        return sub, b"", str(err)
    if sub.assignment == UNKNOWN:
        sub = Submission(sub.student, _guess(data, source_ids) or UNKNOWN, sub.path)
    if sub.assignment == UNKNOWN:
        return sub, data, "cannot tell which assignment this is: name the file after it"
    if sub.assignment not in sources:
        return sub, data, f"no solution notebook for assignment {sub.assignment!r}"
    return sub, data, ""


def _guess(data: bytes, source_ids: dict[str, set[str]]) -> str | None:
    try:
        return match_assignment(set(tagged_cells(parse_notebook(data))), source_ids)
    except NotebookError:
        return None


def _ungraded(sub: Submission, sources: dict[str, Path], status: str, reason: str) -> dict:
    """A row for a submission that could not be run: every part 'not run', no points."""
    known = sub.assignment in sources
    points = autograded_points(read_notebook(sources[sub.assignment])) if known else {}
    return _row(sub, ungraded(points, status, reason))


def _row(sub: Submission, result: dict) -> dict:
    return {"student": sub.student, "assignment": sub.assignment, "submission": sub.path, **result}


def _stored_references(
    cache_dir: Path | None, assignments: set[str], source_bytes: dict[str, bytes], options: Options
) -> dict[str, dict[str, int] | None]:
    """Each assignment's ``reference_checks``, read from the cache (None where not there yet),
    stored there as soon as it is computed (see ``_run``)."""
    found = {}
    for name in assignments:
        digest = cache.key(b"reference", source_bytes[name], asdict(options))
        found[name] = cache.load(_reference_dir(cache_dir), digest)
    return found


def _reference_dir(cache_dir: Path | None) -> Path | None:
    return cache_dir / "references" if cache_dir else None


def _run(
    todo: list,
    sources: dict[str, Path],
    options: Options,
    conf,
    jobs: int,
    refs: dict[str, dict[str, int] | None] | None = None,
    cache_dir: Path | None = None,
):
    """Yield (task, result) as submissions finish, in this process or in ``jobs`` workers.
    ``refs``: reference check counts already known, by assignment (see ``_references``)."""
    refs = dict(refs or {})
    if jobs <= 1 or len(todo) <= 1:
        for sub, data, digest in todo:
            try:
                if refs.get(sub.assignment) is None:
                    source = read_notebook(sources[sub.assignment])
                    refs[sub.assignment] = reference_checks(source, options, conf)
                    _store_references(
                        cache_dir, {sub.assignment: refs[sub.assignment]}, sources, options
                    )
                path, ref = str(sources[sub.assignment]), refs[sub.assignment]
                result = json.loads(_work(data, path, options, conf, ref))
            except Exception as err:  # noqa: BLE001 - one error row, as from a worker below
                result = _failure(err)
            yield (sub, data, digest), result
        return
    for attempt in range(2):
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=_context())
        broken = []
        try:
            needed = {sub.assignment for sub, _, _ in todo if refs.get(sub.assignment) is None}
            found = _references(pool, {name: sources[name] for name in needed}, options, conf)
            _store_references(cache_dir, found, sources, options)
            refs.update(found)
            futures, unsent = _submit(pool, todo, sources, options, conf, refs)
            if attempt == 0:
                broken.extend(unsent)  # the pool broke before they were sent: try them again
            else:
                for task in unsent:
                    yield task, "BrokenProcessPool: grader workers kept dying"
            for future in as_completed(futures):
                if attempt == 0 and isinstance(_exception(future), BrokenProcessPool):
                    broken.append(futures[future])  # a worker died: grade these once more
                    continue
                yield futures[future], _outcome(future)
        except BaseException:
            _stop(pool)
            raise
        pool.shutdown()
        if not broken:
            return
        todo = broken


def _submit(pool: ProcessPoolExecutor, todo: list, sources, options, conf, refs) -> tuple:
    """({future: task} for the tasks sent to the workers, [tasks not sent: the pool broke])."""
    futures = {}
    for number, task in enumerate(todo):
        sub, data, _ = task
        path = str(sources[sub.assignment])
        try:
            futures[pool.submit(_work, data, path, options, conf, refs[sub.assignment])] = task
        except BrokenProcessPool:
            return futures, todo[number:]
    return futures, []


def _store_references(cache_dir: Path | None, found: dict, sources, options: Options) -> None:
    for name, ref in found.items():
        if ref:  # empty: no test passed even in the source, so something went wrong; not kept
            digest = cache.key(b"reference", sources[name].read_bytes(), asdict(options))
            cache.store(_reference_dir(cache_dir), digest, ref)


def _references(
    pool: ProcessPoolExecutor, sources: dict[str, Path], options: Options, conf
) -> dict[str, dict[str, int] | None]:
    """``grade.reference_checks`` of each source, computed in the workers side by side (None
    where that failed: the worker then tries again itself)."""
    futures = {}
    for name, path in sources.items():
        try:
            futures[name] = pool.submit(_reference_work, str(path), options, conf)
        except BrokenProcessPool:
            break
    found: dict[str, dict[str, int] | None] = dict.fromkeys(sources)
    for name, future in futures.items():
        try:
            found[name] = json.loads(future.result())
        except Exception:  # noqa: BLE001 - e.g. a dead worker
            pass
    return found


def _reference_work(source_path: str, options: Options, conf: sandbox.Confinement) -> str:
    return json.dumps(reference_checks(read_notebook(source_path), options, conf))


def _exception(future) -> BaseException | None:
    try:
        return future.exception()
    except CancelledError as err:  # (not BaseException: that would swallow a Ctrl-C)
        return err


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop at once: cancel what is queued, terminate the workers (their kernels die with them)."""
    pool.shutdown(wait=False, cancel_futures=True)
    workers = list((getattr(pool, "_processes", None) or {}).values())
    for worker in workers:
        if worker.is_alive():
            worker.terminate()
    for worker in workers:
        worker.join(5)


def _context() -> multiprocessing.context.BaseContext:
    """Workers forked from a clean server that has imported the grader once (spawn elsewhere).

    Not plain fork: the parent may hold threads (zmq, asyncio) from earlier grading.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["nncourse.grading.batch"])  # nbformat alone takes ~1.5 s
    return context


def _outcome(future) -> dict | str:
    """The worker's result, or what went wrong (a crashed worker is one row, not a crash)."""
    try:
        return json.loads(future.result())
    except Exception as err:  # noqa: BLE001
        return _failure(err)


def _failure(err: Exception) -> str:
    return f"{type(err).__name__}: {err}"[:200]


def _work(
    data: bytes,
    source_path: str,
    options: Options,
    conf: sandbox.Confinement,
    reference: dict[str, int] | None = None,
) -> str:
    """Worker entry point: grade one submission, return the result as JSON text."""
    source = read_notebook(source_path)
    return json.dumps(grade_notebook(data, source, options, conf, reference))
