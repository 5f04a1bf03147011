"""Practice checkers for the coding exercises of chapter 7 (contrastive methods).

Each checker calls your function on fixed cases and compares the results with those of the
reference solution, recorded when the book was released (the reference code is not part of
ebmlib). It returns ``correct``, ``incorrect: ...`` (what differs, never the expected value) or
``not attempted``.
"""

from ._practice import practice_checker

__all__ = ['check_nce_loss', 'check_score_matching_loss', 'check_sm_precision']


check_nce_loss = practice_checker("ch07", "check_nce_loss", """Check ``nce_loss(energy, log_z, y_data, y_noise, noise_log_prob)``.

    Expected: with nu = M / N and G(y) = -E(y) - log_z - log(nu p_noise(y)), the scalar
    mean_data softplus(-G) + nu mean_noise softplus(G), stable when G is in the hundreds (either sign).
""")


check_score_matching_loss = practice_checker("ch07", "check_score_matching_loss", """Check ``score_matching_loss(energy, y)``: the batch mean of 1/2 ||grad E||^2 - tr grad^2 E.

    The cases are a Gaussian energy 1/2 y^T Lambda y (Lambda a precision matrix) in 2-D and the quartic 1/4 ||y||^4 in 3-D, whose
    gradients and Laplacians are known in closed form.
""")


check_sm_precision = practice_checker("ch07", "check_sm_precision", """Check ``sm_precision(y) -> Lambda``: the precision matrix Lambda that minimises the score-matching
    loss of E = 1/2 y^T Lambda y.

    ``y`` is an (N, D) float64 tensor; the answer is a (D, D) tensor.
""")
