"""The docstring examples of every module run, so they cannot rot."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import datacruncher

MODULES = sorted(m.name for m in pkgutil.walk_packages(datacruncher.__path__, "datacruncher."))


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
