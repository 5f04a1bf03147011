"""Practice checkers for the coding exercises of chapter 4 (self-supervised learning).

Each checker calls your function on fixed cases and compares the results with those of the
reference solution, recorded when the book was released (the reference code is not part of
ebmlib). It returns ``correct``, ``incorrect: ...`` (what differs, never the expected value) or
``not attempted``.
"""

from ._practice import practice_checker

__all__ = ['check_conditional_free_energy_inf', 'check_masked_token_loss']


check_conditional_free_energy_inf = practice_checker("ch04", "check_conditional_free_energy_inf", """Check ``fn(y, radii, z_grid)`` -> F_inf (B,), the minimum over the grid of the horn's energy.

    E(x, y, z) = [y1 - f1(x) cos z]^2 + [y2 - f2(x) sin z]^2 with ``radii[i] = f(x_i)``.
""")


check_masked_token_loss = practice_checker("ch04", "check_masked_token_loss", """Check ``fn(logits (B, T, V), tokens (B, T), mask (B, T) bool)`` -> mean cross-entropy on masked positions.
""")
