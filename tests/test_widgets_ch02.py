"""The widgets put their figure inside their Output widget kernel-side, so an executed notebook
stores it in the widget state and nbval sees no stray figure output (chapter 2 found this)."""

import base64

import matplotlib

matplotlib.use("Agg")

import torch  # noqa: E402

from ebmlib import EllipseDecoder, tilted_double_well  # noqa: E402
from ebmlib.widgets import (free_energy_beta_widget, gradient_inference_widget,  # noqa: E402
                            latent_inference_widget)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _only_png(w) -> bytes:
    """The single output of the widget's Output: a display_data holding a PNG."""
    assert len(w.output.outputs) == 1
    out = w.output.outputs[0]
    assert out["output_type"] == "display_data"
    png = base64.b64decode(out["data"]["image/png"])
    assert png.startswith(PNG_MAGIC)
    assert out["data"]["text/plain"].startswith("<Figure")
    return png


def _widgets():
    dec = EllipseDecoder(dtype=torch.float64)
    y1 = torch.linspace(-3, 3, 9, dtype=torch.float64)
    y2 = torch.linspace(-2, 2, 7, dtype=torch.float64)
    return [
        (latent_inference_widget(dec, y0=(1.0, 0.5)), "y1", -1.5),
        (free_energy_beta_widget(dec, y1, y2, beta=1.0), "beta", 10.0),
        (gradient_inference_widget(tilted_double_well, (-2.0, 2.0), (-2.0, 2.0), start=(1.0, 1.0)), "y1", -1.0),
    ]


def test_figure_lives_in_the_output_widget_and_is_replaced_on_change(capsys):
    for w, slider, value in _widgets():
        first = _only_png(w)
        getattr(w, slider).value = value
        second = _only_png(w)  # replaced, not appended
        assert second != first
    # nothing leaked to the cell (outside IPython, display() would print "<Figure ...>")
    assert capsys.readouterr().out == ""
