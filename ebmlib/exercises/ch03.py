"""Practice checkers for the coding exercises of chapter 3 (free energy and the probabilistic view).

Each checker calls your function on fixed cases and compares the results with those of the
reference solution, recorded when the book was released (the reference code is not part of
ebmlib). It returns ``correct``, ``incorrect: ...`` (what differs, never the expected value) or
``not attempted``.
"""

from ._practice import practice_checker

__all__ = ['check_soft_minimum', 'check_gibbs_on_grid']


check_soft_minimum = practice_checker("ch03", "check_soft_minimum", """Check ``fn(energies, beta)`` -> F_beta (B,) for an energy table (B, N), beta from 0.01 to 1e6.
""")


check_gibbs_on_grid = practice_checker("ch03", "check_gibbs_on_grid", """Check ``fn(F, beta, cell_area)`` -> the density exp(-beta F)/Z on the grid (same shape as F).
""")
