"""Practice checkers for the coding exercises of chapter 2 (latent-variable EBMs).

Each checker calls your function on fixed cases and compares the results with those of the
reference solution, recorded when the book was released (the reference code is not part of
ebmlib). It returns ``correct``, ``incorrect: ...`` (what differs, never the expected value) or
``not attempted``.
"""

from ._practice import practice_checker

__all__ = ['check_latent_energy_table', 'check_exhaustive_search', 'check_free_energy_grid']


check_latent_energy_table = practice_checker("ch02", "check_latent_energy_table", """Check ``fn(y, w, z_grid)`` -> E of shape (B, N_z), E[i, k] = ||y_i - [w1 cos z_k, w2 sin z_k]||^2.
""")


check_exhaustive_search = practice_checker("ch02", "check_exhaustive_search", """Check ``fn(y, decoder, z_grid)`` -> (z_check (B,), F_inf (B,)) against a brute-force loop.
""")


check_free_energy_grid = practice_checker("ch02", "check_free_energy_grid", """Check ``fn(decoder, y1, y2, z_grid)`` -> F_inf of shape (len(y2), len(y1)), F[i, j] at (y1[j], y2[i]).
""")
