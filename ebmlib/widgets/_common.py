"""What every widget shares: rows of controls above an ``Output`` holding a figure that ``update()`` redraws."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt

__all__: list[str] = []


class FigureWidget(widgets.VBox):
    """A ``VBox``: rows of controls, then an ``Output`` showing ``self.fig``; any control change calls ``update()``.

    A subclass builds its controls and ``self.fig``, then calls ``self._mount(rows, controls)`` last
    in its ``__init__``, which draws the first figure.
    """

    def _mount(self, rows: list, controls: tuple) -> None:
        self.output = widgets.Output()
        plt.close(self.fig)  # shown only through the Output widget, never inline a second time
        super().__init__(children=[*rows, self.output])
        for control in controls:
            control.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, change) -> None:
        self.update()

    def update(self):  # pragma: no cover - every subclass defines it
        raise NotImplementedError
