"""Release exercises from solutions and grade submissions, in the nbgrader format.

One source: ``solutions/<assignment>.ipynb`` carries nbgrader cell metadata and marked
solution / hidden-test regions. ``release`` turns it into the student notebook; ``grade`` runs
each submission in a fresh kernel with the source's test cells put back and writes a grade
sheet. Modules, one job each:

    notebook   read notebooks, nbgrader cell metadata, checks on a source notebook
    markers    the ``### BEGIN SOLUTION`` / ``### BEGIN HIDDEN TESTS`` regions inside a cell
    release    solutions -> exercises, and the up-to-date check
    discover   sources, and submissions found in files, folders or nbgrader's layout
    assemble   the notebook that is actually run: tests restored, hidden tests put back
    sandbox    how kernels are confined: limits, a user of their own, namespaces, hidden paths
    launcher   the kernel's parent process that applies the sandbox and reaps what is left
    kernel     one sandboxed kernel, driven over its shell channel only
    guard      the grader's code inside the kernel: seeding, restoring before each test
    harden     tests made harder to fool, tampering flagged, hidden tests kept out of messages
    execute    run that notebook in a fresh kernel with time limits
    grade      one submission -> one result (a plain, JSON-ready dict)
    cache      results stored by content hash, so a re-run skips finished work
    batch      many submissions: sharding, parallel workers
    progress   the progress bar on stderr
    sheet      the grade sheet (CSV + JSON), merging sheets
    feedback   one HTML page per submission
    validate   solutions earn full marks, exercises earn zero, exercises are up to date
    nbgrader   lay the course out the way nbgrader expects

Nothing here imports TensorFlow; the grading kernels import whatever the notebooks import.
Submissions are untrusted code: docs/grader-threat-model.md says what is defended and how.
"""
