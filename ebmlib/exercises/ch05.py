"""Practice checkers for the coding exercises of chapter 5 (loss functionals).

Each checker calls your function on fixed cases and compares the results with those of the
reference solution, recorded when the book was released (the reference code is not part of
ebmlib). It returns ``correct``, ``incorrect: ...`` (what differs, never the expected value) or
``not attempted``.
"""

from ._practice import practice_checker

__all__ = ['check_hinge_loss', 'check_log_loss', 'check_ml_gradient']


check_hinge_loss = practice_checker("ch05", "check_hinge_loss", """Check ``hinge_loss(f_pos, f_neg, margin)``: mean over the batch of max(0, m - (F_neg - F_pos)).

    ``f_pos`` and ``f_neg`` are float64 tensors of shape (B,); ``margin`` is a float.
""")


check_log_loss = practice_checker("ch05", "check_log_loss", """Check ``log_loss(f_pos, f_neg)`` with M negatives per sample.

    ``f_pos``: float64 tensor (B,), ``f_neg``: float64 tensor (B, M); the expected value is the
    batch mean of log(1 + sum_m exp(F_pos - F_neg_m)), and it must not overflow for large gaps.
""")


check_ml_gradient = practice_checker("ch05", "check_ml_gradient", """Check ``ml_gradient(energy, params, y_data, grid)``, the two-term maximum-likelihood gradient.

    Expected: one tensor per parameter, grad E averaged over the data minus grad E averaged over the
    grid with the model's probabilities p_g = softmax(-E(grid)) (beta = 1).
""")
