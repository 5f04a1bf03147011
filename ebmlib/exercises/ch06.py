"""Practice checkers for the coding exercises of chapter 6 (sampling from an energy).

Each checker calls your function on fixed cases and compares the results with those of the
reference solution, recorded when the book was released (the reference code is not part of
ebmlib). It returns ``correct``, ``incorrect: ...`` (what differs, never the expected value) or
``not attempted``.
"""

from ._practice import practice_checker

__all__ = ['check_mh_step', 'check_ula_covariance', 'check_leapfrog', 'check_rbm_free_energy']


check_mh_step = practice_checker("ch06", "check_mh_step", """Check ``mh_step(energy, y, proposal_scale, xi, u) -> y_new``, one random-walk Metropolis step.

    ``y`` (B, D), ``xi`` (B, D) standard normal draws, ``u`` (B,) uniform draws, all float64: the
    proposal is y + proposal_scale * xi, accepted per row when u < exp(E(y) - E(proposal)).
""")


check_ula_covariance = practice_checker("ch06", "check_ula_covariance", """Check ``ula_covariance(Lam, eps) -> C``: the stationary covariance of unadjusted Langevin dynamics
    on the Gaussian energy E(y) = y^T Lam y / 2 (Lam the precision matrix Lambda) with step size eps
    (float64 tensors, (D, D) -> (D, D)).
""")


check_leapfrog = practice_checker("ch06", "check_leapfrog", """Check ``leapfrog(grad, y, v, eps, n) -> (y, v)``: n leapfrog steps of H = E(y) + v.v / 2 (v the momentum).

    ``grad`` maps (B, D) to (B, D); a half step in v, alternating full steps, a final half step in v.
""")


check_rbm_free_energy = practice_checker("ch06", "check_rbm_free_energy", """Check ``free_energy(v, W, b, c) -> (B,)``: F(v) = -log sum_h exp(-E(v, h)) of an RBM with
    E(v, h) = -v.b - h.c - v^T W h, h in {0, 1}^H.
""")
