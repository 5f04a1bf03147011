"""Practice checkers for the coding exercises of chapter 1 (energy functions and inference).

Each checker calls your function on fixed cases and compares the results with those of the
reference solution, recorded when the book was released (the reference code is not part of
ebmlib). It returns ``correct``, ``incorrect: ...`` (what differs, never the expected value) or
``not attempted``.
"""

from ._practice import practice_checker

__all__ = ['check_parabola_grad', 'check_gradient_step', 'check_gradient_inference', 'check_min_sum_chain']


check_parabola_grad = practice_checker("ch01", "check_parabola_grad", """Check ``fn(x, y)`` = dF/dy of F(x, y) = (y_1^2 - x)^2, for x (B,) and y (B, 1), against autograd.
""")


check_gradient_step = practice_checker("ch01", "check_gradient_step", """Check ``fn(energy, y, step_size)`` = y - step_size * dE/dy (one gradient step, y of shape (B, D)).
""")


check_gradient_inference = practice_checker("ch01", "check_gradient_inference", """Check ``fn(energy, y0, steps, step_size)`` = y after ``steps`` gradient steps from y0 (shape (B, D)).
""")


check_min_sum_chain = practice_checker("ch01", "check_min_sum_chain", """Check ``fn(unary (T, K), pairwise (T-1, K, K)) -> (states (T,), min_energy)`` against brute force.
""")
