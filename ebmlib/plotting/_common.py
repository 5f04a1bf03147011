"""Names shared by the plotting modules; the helpers live in :mod:`ebmlib._figures` and ``_checks``.
"""

from .._checks import check_limits as _check_lim  # noqa: F401
from .._figures import Energy  # noqa: F401
from .._figures import beta_label as _beta_label  # noqa: F401
from .._figures import check_finite_array as _check_finite  # noqa: F401
from .._figures import new_axes as _new_axes  # noqa: F401
from .._figures import panels as _panels  # noqa: F401
from .._figures import to_numpy as _to_numpy  # noqa: F401

__all__: list[str] = []

_small_multiples = _panels  # the earlier name of the panel-grid helper, for modules written against it
