"""Shipping Python selector code (pyship.py) and TPySelector's option and class rules
(pyselector.py), without ROOT: plain Python classes, a fresh interpreter as the 'worker'."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import types

import pytest

from proofshim.worker import pyselector
from proofshim.plan import pyship
from proofshim.util.errors import SelectorError

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_own_modules_are_the_users_code_not_installed_packages(tmp_path):
    import json

    import pytest as installed

    assert not pyship.is_own_module(json) and not pyship.is_own_module(installed)
    assert not pyship.is_own_module(sys), "built-in"
    import proofshim

    assert not pyship.is_own_module(proofshim), "proofshim is on every worker, wherever it lives"
    mine = types.ModuleType("ana_cuts")
    mine.__file__ = str(tmp_path / "ana_cuts.py")
    assert pyship.is_own_module(mine)
    site = types.ModuleType("sitepkg")
    site.__file__ = os.path.join(os.path.dirname(installed.__file__), "x.py")
    assert not pyship.is_own_module(site)


_SELMOD = '''
import ana_helper_{tag}

SCALE = 3


class Sel:
    def Process(self, entry):
        return ana_helper_{tag}.weight(entry) * SCALE

    def Fail(self):
        raise ValueError("from the shipped code")
'''

_HELPER = '''
def weight(x):
    return x + 0.5
'''

# pyship alone (not the proofshim package, which would load ROOT): plain classes need nothing else.
_LOAD_PYSHIP = '''
import importlib.util
_spec = importlib.util.spec_from_file_location("pyship", {path!r})
pyship = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pyship)
'''
PYSHIP = os.path.join(REPO, "proofshim", "plan", "pyship.py")

_WORKER = _LOAD_PYSHIP + '''
import pickle, sys, traceback
data = open(sys.argv[1], "rb").read()
cls = pyship.loads(data)
print("RESULT", cls().Process(4))
print("HAS_HELPER_MODULE", any(m.startswith("ana_helper") for m in sys.modules))
try:
    cls().Fail()
except ValueError:
    print(traceback.format_exc())
'''


def test_a_class_and_the_helper_it_imports_travel_by_value(tmp_path, monkeypatch):
    """The 'worker' is another interpreter in another directory, without the client's modules."""
    tag = str(os.getpid())
    src = tmp_path / "client"
    src.mkdir()
    (src / f"ana_sel_{tag}.py").write_text(_SELMOD.format(tag=tag))
    (src / f"ana_helper_{tag}.py").write_text(_HELPER)
    monkeypatch.syspath_prepend(str(src))
    module = __import__(f"ana_sel_{tag}")
    blob = tmp_path / "payload.bin"
    blob.write_bytes(pyship.dumps(module.Sel))
    # The client's files are gone: only what travelled can make the class (and its traceback).
    for f in src.iterdir():
        f.unlink()
    work = tmp_path / "elsewhere"
    work.mkdir()
    res = subprocess.run([sys.executable, "-c", _WORKER.format(path=PYSHIP), str(blob)], cwd=work,
                         capture_output=True, text=True, timeout=120,
                         env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert res.returncode == 0, res.stderr
    assert "RESULT 13.5" in res.stdout
    assert "HAS_HELPER_MODULE False" in res.stdout, "the helper is not imported by name there"
    assert f'File "{src / f"ana_sel_{tag}.py"}", line 12, in Fail' in res.stdout, res.stdout
    assert 'raise ValueError("from the shipped code")' in res.stdout, "the source line travelled too"


def test_installed_classes_travel_by_name():
    import json

    payload = pyship.dumps(json.JSONDecoder)
    assert pyship.loads(payload) is json.JSONDecoder
    assert len(payload) < 500


def test_split_module_option():
    assert pyselector.split_module_option("mysel#ptcut=20#x") == ("mysel", "ptcut=20#x")
    assert pyselector.split_module_option("") == ("", "")


def _module(name, **classes):
    m = types.ModuleType(name)
    for k, v in classes.items():
        v.__module__ = name
        setattr(m, k, v)
    return m


class _Base:
    pass


def test_the_one_selector_class_of_a_module():
    class A(_Base):
        pass

    class B(A):
        pass

    class Other:
        pass

    assert pyselector.pick_class(_module("m1", A=A, B=B, Other=Other), _Base) is B, "the most derived"
    imported = _module("elsewhere", X=A)
    m2 = _module("m2", B=B)
    m2.A = imported.X     # imported from another module: the module's own class counts
    B.__module__ = "m2"
    assert pyselector.pick_class(m2, _Base) is B

    class C(_Base):
        pass

    with pytest.raises(SelectorError, match=r"holds 2 selector classes \(B, C\)"):
        pyselector.pick_class(_module("m3", B=B, C=C), _Base)
    with pytest.raises(SelectorError, match="holds no class deriving from TPySelector"):
        pyselector.pick_class(_module("m4", Other=Other), _Base)


def test_shipping_a_local_function_in_main_style(tmp_path):
    """Code written in the driver itself (__main__) travels by value, closures included."""
    script = tmp_path / "driver.py"
    script.write_text(_LOAD_PYSHIP.format(path=PYSHIP) + textwrap.dedent('''
        import sys
        factor = 7
        def scaled(x):
            return x * factor
        open(sys.argv[1], "wb").write(pyship.dumps(scaled))
    '''))
    blob = tmp_path / "f.bin"
    subprocess.run([sys.executable, str(script), str(blob)], check=True, timeout=120, cwd=tmp_path)
    assert pyship.loads(blob.read_bytes())(6) == 42
