"""`nncourse validate` on the real course: solutions earn full marks, exercises zero and current.

This is the check an instructor runs before releasing; CI runs it on every change.
"""

from pathlib import Path

from nncourse.grading.validate import validate_course

ROOT = Path(__file__).resolve().parents[1]


def test_the_course_is_consistent():
    problems = validate_course(ROOT / "solutions", ROOT / "exercises", jobs=2, stream=None)
    assert problems == [], "\n".join(problems)
