"""No public name of an ebmlib package hides one of its submodules (the way the function
``ebmlib.free_energy`` once hid the module of that name): ``package.x`` is the submodule ``x``
whenever such a submodule exists."""

import importlib
import pkgutil

import ebmlib


def _packages_and_submodules():
    out = []

    def walk(pkg):
        for info in pkgutil.iter_modules(pkg.__path__):
            module = importlib.import_module(f"{pkg.__name__}.{info.name}")
            out.append((pkg, info.name, module))
            if info.ispkg:
                walk(module)

    walk(ebmlib)
    return out


def test_no_name_hides_a_submodule():
    hidden = [f"{pkg.__name__}.{name} is a {type(getattr(pkg, name)).__name__}, not the submodule"
              for pkg, name, module in _packages_and_submodules()
              if getattr(pkg, name, module) is not module]
    assert hidden == []


def test_the_walk_sees_the_renamed_modules():
    names = {f"{pkg.__name__}.{name}" for pkg, name, _ in _packages_and_submodules()}
    assert {"ebmlib.soft_minimum", "ebmlib.samplers.langevin_dynamics", "ebmlib.samplers.metropolis_adjusted",
            "ebmlib.samplers.hamiltonian", "ebmlib.datasets.ellipses"} <= names
