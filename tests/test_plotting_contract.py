"""The plotting contract, one clause per test, parametrised over every public function of ebmlib.plotting.

A one-panel function takes ``ax=None`` and returns the Axes it drew on: given an Axes it draws there and
returns that Axes, opening no figure; without, it opens exactly one new figure and returns an Axes of it.
A several-panel function takes ``axes=None`` and returns the Figure: given axes it draws on them and
returns their Figure, opening no figure; without, it opens exactly one new figure and returns it.
The valid arguments of each function are its row in ``tests/test_bad_inputs.py`` (one table for both).
"""

from __future__ import annotations

import inspect

import matplotlib.pyplot as plt
import pytest
from test_bad_inputs import PLOTTING

from ebmlib import plotting

ROWS = {spec.target.split(".", 1)[1]: spec for spec in PLOTTING}
FUNCTIONS = [n for n in plotting.__all__ if inspect.isfunction(getattr(plotting, n))]
ONE_PANEL = [n for n in FUNCTIONS if "ax" in inspect.signature(getattr(plotting, n)).parameters]
SEVERAL = [n for n in FUNCTIONS if "axes" in inspect.signature(getattr(plotting, n)).parameters]
NOT_DRAWING = {"energy_grid"}  # computes the grid the figures contour; draws nothing


def _call(name: str, **extra):
    spec = ROWS[name]
    return (spec.call or spec.fn)(**{**spec.good, **extra})


def _drew_on(ax) -> bool:
    return bool(ax.lines or ax.collections or ax.images or ax.patches or ax.texts or ax.get_title())


def _new_figures(name: str, **extra) -> tuple[object, set[int]]:
    """Call the function; what it returned and the numbers of the figures it opened."""
    before = set(plt.get_fignums())
    out = _call(name, **extra)
    return out, set(plt.get_fignums()) - before


def _panels(name: str) -> int:
    """How many panels the function draws with its row's arguments (colour bars are not panels)."""
    fig = _call(name)
    k = sum(1 for a in fig.axes if getattr(a, "_colorbar", None) is None)
    plt.close(fig)
    return k


def test_every_public_function_draws_or_is_named():
    assert set(FUNCTIONS) == set(ONE_PANEL) | set(SEVERAL) | NOT_DRAWING
    assert not set(ONE_PANEL) & set(SEVERAL)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_return_annotation_says_axes_or_figure(name):
    want = {True: "plt.Axes", False: "plt.Figure"}[name in ONE_PANEL]
    got = inspect.signature(getattr(plotting, name)).return_annotation
    assert name in NOT_DRAWING or got == want


@pytest.mark.parametrize("name", ONE_PANEL)
def test_one_panel_given_ax_returns_that_ax(name):
    _, ax = plt.subplots()
    assert _call(name, ax=ax) is ax


@pytest.mark.parametrize("name", ONE_PANEL)
def test_one_panel_given_ax_draws_there(name):
    _, ax = plt.subplots()
    _call(name, ax=ax)
    assert _drew_on(ax)


@pytest.mark.parametrize("name", ONE_PANEL)
def test_one_panel_given_ax_opens_no_figure(name):
    _, ax = plt.subplots()
    assert _new_figures(name, ax=ax)[1] == set()


@pytest.mark.parametrize("name", ONE_PANEL)
def test_one_panel_without_ax_opens_one_figure_and_returns_its_axes(name):
    out, new = _new_figures(name)
    assert isinstance(out, plt.Axes) and new == {out.figure.number}


@pytest.mark.parametrize("name", SEVERAL)
def test_several_panels_given_axes_return_their_figure(name):
    fig, axes = plt.subplots(1, _panels(name))
    assert _call(name, axes=axes) is fig


@pytest.mark.parametrize("name", SEVERAL)
def test_several_panels_given_axes_draw_on_each(name):
    _, axes = plt.subplots(1, _panels(name), squeeze=False)
    _call(name, axes=axes[0])
    assert all(_drew_on(ax) for ax in axes[0])


@pytest.mark.parametrize("name", SEVERAL)
def test_several_panels_given_axes_open_no_figure(name):
    _, axes = plt.subplots(1, _panels(name), squeeze=False)
    assert _new_figures(name, axes=axes[0])[1] == set()


@pytest.mark.parametrize("name", SEVERAL)
def test_several_panels_without_axes_open_one_figure_and_return_it(name):
    out, new = _new_figures(name)
    assert isinstance(out, plt.Figure) and new == {out.number}


@pytest.mark.parametrize("name", SEVERAL)
def test_several_panels_refuse_too_few_axes(name):
    k = _panels(name)
    if k == 1:
        pytest.skip(f"{name} draws one panel with its row's arguments: no count is too few but zero")
    _, axes = plt.subplots(1, k - 1, squeeze=False)
    with pytest.raises(ValueError, match=r"axes"):
        _call(name, axes=axes[0])
