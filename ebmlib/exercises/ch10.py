"""Practice checkers for the coding exercises of chapter 10 (EBMs today).

Each checker calls your function on fixed cases and compares the results with those of the
reference solution, recorded when the book was released (the reference code is not part of
ebmlib). It returns ``correct``, ``incorrect: ...`` (what differs, never the expected value) or
``not attempted``.
"""

from ._practice import practice_checker

__all__ = ['check_energy_score', 'check_central_interval', 'check_variational_free_energy']


check_energy_score = practice_checker("ch10", "check_energy_score", """Check ``energy_score(samples, y)``: samples (B, M, D), y (B, D) -> the batch mean of
    (1/M) sum_m ||x_m - y|| - 1/(2 M (M - 1)) sum_{m != m'} ||x_m - x_m'||, a scalar.
""")


check_central_interval = practice_checker("ch10", "check_central_interval", """Check ``central_interval(log_prob, y_grid, level)`` -> (lower, upper), each (B,): the
    (1 - level)/2 and (1 + level)/2 quantiles of each row's grid density (within two grid cells).
""")


check_variational_free_energy = practice_checker("ch10", "check_variational_free_energy", """Check ``variational_free_energy(energy_table, log_q)`` at beta = 1: (B, N_z) tables ->
    (B,) values sum_k q_k E_k + sum_k q_k log(N_z q_k) (the KL to the uniform prior on the grid).
""")
