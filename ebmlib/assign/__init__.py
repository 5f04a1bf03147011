"""Assigning exercises: the exercise catalogue, assignments, nbgrader notebooks and the student edition.

The command line::

    python -m ebmlib.assign --list                          # the catalogue
    python -m ebmlib.assign LABEL [LABEL ...] -o hw1.ipynb  # an assignment (add --solutions, --nbgrader)
    python -m ebmlib.assign --student-edition OUT_DIR       # every chapter without its solutions
    python -m ebmlib.assign --grade hw1_alice.ipynb ...     # run handed-in notebooks, report verdicts

Everything is generated from the chapter notebooks ``book/NN_*.ipynb``, the one source; the format
they follow and the metadata they carry are described in :mod:`ebmlib.assign.catalogue`. See the
book's instructor guide.
"""

from .build import build_assignment, find_exercises
from .catalogue import Chapter, Exercise, load_catalogue, load_chapter
from .student import strip_solutions, write_student_edition

__all__ = ["Exercise", "Chapter", "load_catalogue", "load_chapter", "find_exercises", "build_assignment",
           "strip_solutions", "write_student_edition"]
