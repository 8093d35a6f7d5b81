"""The worked examples in proofshim's docstrings are tests: every module of the package that has
examples runs them here (the one place doctests run), and each must try at least one."""
from __future__ import annotations

import doctest
import importlib
import os
import pkgutil
import re

import pytest

import proofshim

PACKAGE_DIR = os.path.dirname(proofshim.__file__)


def _modules_with_examples() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(proofshim.__path__, "proofshim."):
        path = os.path.join(PACKAGE_DIR, *info.name.split(".")[1:]) + ".py"
        if not info.ispkg and os.path.exists(path):
            with open(path) as fh:
                if re.search(r"^\s+>>> ", fh.read(), re.MULTILINE):
                    names.append(info.name)
    return sorted(names)


MODULES = _modules_with_examples()


def test_the_package_has_examples_to_run():
    """Guards the discovery itself: the pure modules' examples are found."""
    assert {"proofshim.cluster.url", "proofshim.plan.packetizer", "proofshim.plan.filecheck", "proofshim.worker.querylogs"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0, f"{module}: {result}"
