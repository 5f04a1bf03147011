"""Practice checkers for the coding exercises of chapter 9 (deep EBMs on images).

Each checker calls your function on fixed cases and compares the results with those of the
reference solution, recorded when the book was released (the reference code is not part of
ebmlib). It returns ``correct``, ``incorrect: ...`` (what differs, never the expected value) or
``not attempted``.
"""

from ._practice import practice_checker

__all__ = ['check_auroc', 'check_sgld_step', 'check_logit_energy']


check_auroc = practice_checker("ch09", "check_auroc", """Check ``auroc(scores_in, scores_out) -> float``: the probability that an out-score beats an in-score.

    The scores are float64 tensors of shape (n_in,) and (n_out,); ties count one half.
""")


check_sgld_step = practice_checker("ch09", "check_sgld_step", """Check ``sgld_step(energy, y, step_size, noise_scale, xi) -> y_new``, one step of short-run Langevin.

    y_new = clamp(y - step_size * grad_y E(y) + noise_scale * xi, 0, 1), for images y of shape
    (B, 1, 8, 8) (float64) and the given standard-normal noise ``xi`` of the same shape; ``energy``
    maps (B, 1, 8, 8) to (B,). The result must not carry a gradient history.
""")


check_logit_energy = practice_checker("ch09", "check_logit_energy", """Check ``logit_energy(logits) -> (B,)``: a classifier's logits (B, C) for C classes read as an energy of the input.

    JEM's energy of x is minus the log of the summed unnormalised class probabilities,
    E(x) = -log sum_k exp(f_k(x)); it must stay finite for logits of a few thousand.
""")
