"""proofshim's settings: every default written once, in the packaged proofshim/proofshim.yaml;
docs/proofshim.yaml.example explains exactly those keys; a user's dask configuration overrides each."""
from __future__ import annotations

import os
import re

import dask
import yaml

from proofshim.util import settings

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT_DIR, "proofshim")
EXAMPLE = os.path.join(ROOT_DIR, "docs", "proofshim.yaml.example")


def _package_sources() -> str:
    return "\n".join(open(os.path.join(PACKAGE, f)).read() for f in sorted(os.listdir(PACKAGE))
                     if f.endswith(".py"))


def test_the_example_explains_exactly_the_packaged_keys():
    with open(EXAMPLE) as fh:
        text = fh.read()
    assert yaml.safe_load(text)["proofshim"], "the example is valid YAML"
    # The keys of the proofshim section, also those shown commented out (a path to fill in).
    example = set(re.findall(r"^  (?:# )?([a-z][\w-]*):", text, re.M))
    # tls has no default: dask's own distributed.comm.tls settings apply without it.
    assert example - {"tls"} == set(settings.defaults()), "docs/proofshim.yaml.example and proofshim.yaml"


def test_code_reads_only_packaged_keys_and_repeats_no_default():
    code = _package_sources()
    keys = set(re.findall(r"settings\.get\(\"([\w-]+)\"\)", code))
    assert keys and keys <= set(settings.defaults()), sorted(keys - set(settings.defaults()))
    assert not re.search(r"settings\.get\([^()]*,", code), "a default repeated in code: it belongs in proofshim.yaml"
    assert not re.search(r"config\.get\(\s*f?\"proofshim\.[^\"]*\"\s*,", code), "a default outside proofshim.yaml"


def test_packaged_defaults_apply_and_the_users_configuration_wins():
    defaults = settings.defaults()
    for key, value in defaults.items():
        if dask.config.get(f"proofshim.{key}", "unset-by-user") in ("unset-by-user", value):
            assert settings.get(key) == value, key
    with dask.config.set({"proofshim.connect-timeout": 7, "proofshim.hang_warning": 3}):
        assert settings.get("connect-timeout") == 7
        assert settings.get("hang-warning") == 3, "DASK_PROOFSHIM__HANG_WARNING arrives with '_'"
    assert settings.get("connect-timeout") == defaults["connect-timeout"]
