"""The exercise checkers with their references (instructor-only; see :mod:`instructor`)."""
