"""Practice checkers for the coding exercises of chapter 11 (joint-embedding architectures and JEPA).

Each checker calls your function on fixed cases and compares the results with those of the
reference solution, recorded when the book was released (the reference code is not part of
ebmlib). It returns ``correct``, ``incorrect: ...`` (what differs, never the expected value) or
``not attempted``.
"""

from ._practice import practice_checker

__all__ = ['check_info_nce', 'check_vicreg_covariance', 'check_effective_rank']


check_info_nce = practice_checker("ch11", "check_info_nce", """Check ``info_nce(h_x, h_y, temperature)``: (B, D), (B, D), tau -> the mean over rows i of
    -log softmax_j(cos(h_x,i, h_y,j) / tau)[i], a scalar.
""")


check_vicreg_covariance = practice_checker("ch11", "check_vicreg_covariance", """Check ``covariance_term(h)``: (B, D) -> (1/D) sum_{j != k} C_jk^2 with C the (B - 1)-normalised
    covariance matrix of the columns, a scalar. Every case has D >= 2 (with D = 1 there is no off-diagonal
    entry, and ``torch.cov`` returns a 0-d tensor that a correct solution need not handle).
""")


check_effective_rank = practice_checker("ch11", "check_effective_rank", """Check ``effective_rank(h)``: (B, D) -> exp(-sum_k p_k log p_k), p_k = sigma_k / sum sigma over the
    singular values of h itself (not centred), a float.
""")
