"""Exceptions that callers are meant to catch by type."""

from __future__ import annotations

__all__ = ["DivergenceError"]


class DivergenceError(ValueError):
    """A sampler, a descent or a training loop left the finite numbers (NaN or inf), or ran away.

    A subclass of ``ValueError``, so code that catches bad input catches it too; code that wants to
    react to divergence (draw the diverging path, retry with a smaller step) catches this type
    instead of reading the message.

    Attributes:
        step: the first step (counting from 1) at which divergence was detected, when known; a
            sampler that checks every few steps reports the check that saw it; a training loop
            reports the epoch.
        run: what a training loop recorded up to the failure (``ebmlib.train``: the list of epoch
            losses; ``ebmlib.train_image_ebm``: an ``ImageEBMRun``), so a failed run can be drawn;
            None for a sampler.
    """

    def __init__(self, message: str, *, step: int | None = None, run=None) -> None:
        super().__init__(message)
        self.step = step
        self.run = run
