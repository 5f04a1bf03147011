"""Practice checkers for the coding exercises of chapter 8 (architectural methods).

Each checker calls your function on fixed cases and compares the results with those of the
reference solution, recorded when the book was released (the reference code is not part of
ebmlib). It returns ``correct``, ``incorrect: ...`` (what differs, never the expected value) or
``not attempted``.
"""

from ._practice import practice_checker

__all__ = ['check_lloyd_step', 'check_ista', 'check_pca_energy']


check_lloyd_step = practice_checker("ch08", "check_lloyd_step", """Check ``lloyd_step(y, prototypes) -> new prototypes``: one sweep of coordinate descent.

    ``y``: float64 tensor (N, D); ``prototypes``: float64 tensor (k, D). Expected: each point takes
    its nearest prototype (z step), then each prototype moves to the mean of its points (W step);
    a prototype that wins no point stays where it is.
""")


check_ista = practice_checker("ch08", "check_ista", """Check ``ista(y, W, lam, n_iter) -> z``: sparse codes by ISTA, for y (B, D), W (D, K) float64 tensors.

    The checker calls it with ``n_iter=3000`` and compares the objective of each row (half the squared
    norm of y - W z, plus lam times the L1 norm of z) with the optimum found by a coordinate-descent
    Lasso solver (relative 1e-6).
""")


check_pca_energy = practice_checker("ch08", "check_pca_energy", """Check ``pca_energy(y, mean, components) -> (B,)``: the squared norm of (I - U^T U)(y - mu).

    ``y``: float64 (B, D); ``mean``: (D,); ``components``: (K, D) with orthonormal rows U.
""")
