"""Instructor-only code of the course repository: not part of the ``ebmlib`` package that students install.

``instructor.exercises`` holds the exercise checkers with their reference computations (closed forms,
brute force, the hints for typical mistakes). ``python -m ebmlib.assign --nbgrader`` imports them from a
clone of the repository to record an assignment's graded tests; ``tools/record_checks.py`` records the
values that the students' practice checkers (:mod:`ebmlib.exercises`) compare with.
"""
