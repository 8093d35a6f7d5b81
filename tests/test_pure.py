"""Pure logic without ROOT or dask: Open URLs, query options, the patch journal."""
from __future__ import annotations

import pytest

from proofshim.util.errors import OpenError
from proofshim.util.journal import Journal
from proofshim.plan.options import split_options
from proofshim.cluster.url import parse_open_url


@pytest.mark.parametrize("url,workers", [
    ("", 3), ("lite://", 3), ("lite:///", 3), ("workers=5", 5), ("lite:///?workers=2", 2),
    ("lite://?workers=7", 7), ("LITE://", 3),
])
def test_lite_urls(url, workers):
    spec = parse_open_url(url, ncpu=3)
    assert spec.kind == "local" and spec.workers == workers and spec.url == "lite://"


def test_default_workers_setting_wins_over_cores():
    assert parse_open_url("", ncpu=8, default_workers=3).workers == 3
    assert parse_open_url("workers=2", ncpu=8, default_workers=3).workers == 2


@pytest.mark.parametrize("url,address", [
    ("tcp://sched:8786", "tcp://sched:8786"), ("dask://sched:8786", "tcp://sched:8786"),
    ("tls://10.1.1.1:8786/", "tls://10.1.1.1:8786"),
])
def test_scheduler_urls(url, address):
    spec = parse_open_url(url, ncpu=2)
    assert spec.kind == "scheduler" and spec.address == address


@pytest.mark.parametrize("url,key", [
    ("proof://master.example:1093", "master.example:1093"),
    ("proof://master.example", "master.example"),
    ("alice@master.example", "alice@master.example"),
    ("master.example:1093", "master.example"),
])
def test_legacy_masters_resolve_through_the_setting(url, key):
    spec = parse_open_url(url, ncpu=2, masters={key: "tcp://127.0.0.1:9999"})
    assert spec.kind == "scheduler" and spec.address == "tcp://127.0.0.1:9999" and spec.url == url


def test_legacy_master_may_map_to_a_local_cluster():
    spec = parse_open_url("proof://old:1093", ncpu=2, masters={"old:1093": "lite:///?workers=4"})
    assert spec.kind == "local" and spec.workers == 4


def test_unmapped_master_names_the_setting():
    with pytest.raises(OpenError) as err:
        parse_open_url("proof://master.example:1093", ncpu=2)
    assert "proofshim.masters" in str(err.value) and "master.example" in str(err.value)


@pytest.mark.parametrize("url", ["workers=0", "workers=abc", "lite:///?workers=-1", "tcp//x", "a b c"])
def test_bad_urls(url):
    with pytest.raises(OpenError):
        parse_open_url(url, ncpu=2)


@pytest.mark.parametrize("opt,user,found", [
    ("", "", {}),
    ("plain", "plain", {}),
    ("fb=h1,h2 stats  keep", "keep", {"feedback": ["h1", "h2"], "stats": True}),
    ("of=out.root a", "a", {"outfile": "out.root"}),
    ("ds=myset", "", {"dataset": "myset"}),
    ("stf=10 x y", "x y", {"savetofile": "10"}),
    ("ASYN x", "ASYN x", {"asyn": True}),
    ("feedback=h", "", {"feedback": ["h"]}),
])
def test_proof_tokens_removed_from_option(opt, user, found):
    assert split_options(opt) == (user, found)


def test_journal_undoes_in_reverse_and_once():
    class Target:
        existing = 1

    log = []
    j = Journal()
    j.setattr(Target, "existing", 2)
    j.setattr(Target, "added", 3)
    j.call("side effect", lambda: log.append("do"), lambda: log.append("undo"))
    assert Target.existing == 2 and Target.added == 3 and log == ["do"]
    undone = j.undo_all()
    assert undone[0] == "side effect" and len(undone) == 3
    assert Target.existing == 1 and not hasattr(Target, "added") and log == ["do", "undo"]
    assert j.undo_all() == []


@pytest.mark.parametrize("url", ["", "lite://", "lite:///", "LITE"])
def test_default_setting_decides_where_plain_lite_opens(url):
    spec = parse_open_url(url, ncpu=2, default="tcp://sched.example:8786")
    assert spec.kind == "scheduler" and spec.address == "tcp://sched.example:8786"
    spec = parse_open_url(url, ncpu=2, default_workers=3, default="lite:///?workers=5")
    assert spec.kind == "local" and spec.workers == 5
    # "lite://" as the default keeps the workers setting, then the core count.
    assert parse_open_url(url, ncpu=2, default_workers=3, default="lite://").workers == 3
    assert parse_open_url(url, ncpu=2, default="lite://").workers == 2


def test_explicit_worker_counts_and_addresses_ignore_the_default():
    default = "tcp://sched.example:8786"
    assert parse_open_url("workers=4", ncpu=2, default=default).kind == "local"
    assert parse_open_url("lite:///?workers=4", ncpu=2, default=default).workers == 4
    assert parse_open_url("tcp://other:1", ncpu=2, default=default).address == "tcp://other:1"


def test_default_may_name_a_legacy_master_of_the_masters_map():
    spec = parse_open_url("", ncpu=2, default="alice@old.example",
                          masters={"alice@old.example": "tls://10.0.0.2:8786"})
    assert spec.kind == "scheduler" and spec.address == "tls://10.0.0.2:8786"


@pytest.mark.parametrize("value", [{"kind": "ssh", "hosts": ["a", "b"]}, 4, "  "])
def test_a_default_or_master_that_is_not_an_address_is_refused_clearly(value):
    with pytest.raises(OpenError) as err:
        parse_open_url("", ncpu=2, default=value)
    assert "proofshim.default" in str(err.value)
    if not isinstance(value, dict):   # a malformed cluster specification gets clusters.parse's message
        assert "tcp://scheduler-host:8786" in str(err.value)
    if not isinstance(value, str):
        with pytest.raises(OpenError) as err:
            parse_open_url("proof://m:1093", ncpu=2, masters={"m:1093": value})
        assert "proofshim.masters['m:1093']" in str(err.value)


def test_tls_settings_resolve_to_security_arguments(tmp_path):
    from proofshim.cluster import tls

    ca, cert, key = (tmp_path / n for n in ("ca.pem", "c.pem", "c.key"))
    for p in (ca, cert, key):
        p.write_text("x")
    assert tls.resolve("tcp://h:1", {"ca-file": "/nowhere"}, None) is None, "only tls:// addresses"
    kwargs = tls.resolve("tls://h:1", {"ca_file": str(ca), "cert": str(cert), "key": str(key)}, None)
    assert kwargs == {"tls_ca_file": str(ca), "tls_client_cert": str(cert), "tls_client_key": str(key),
                      "require_encryption": True}
    # PEM text is accepted as it is, and never repeated in a message.
    secret = "-----BEGIN PRIVATE KEY-----\nSECRET\n-----END PRIVATE KEY-----"
    assert tls.resolve("tls://h:1", {"ca-file": str(ca), "cert": str(cert), "key": secret},
                       None)["tls_client_key"] == secret
    with pytest.raises(OpenError) as err:
        tls.resolve("tls://h:1", {"ca-file": secret, "key": secret}, None)
    assert "proofshim.tls.cert" in str(err.value) and "SECRET" not in str(err.value)
    with pytest.raises(OpenError) as err:
        tls.resolve("tls://h:1", {"ca-file": str(ca), "cert": str(tmp_path / "missing.pem")}, None)
    assert "missing.pem" in str(err.value)
    # dask's own configuration is left to dask's Client; nothing at all is refused with the settings.
    assert tls.resolve("tls://h:1", None, {"ca-file": "ca", "client": {"cert": "c", "key": "k"}}) is None
    with pytest.raises(OpenError) as err:
        tls.resolve("tls://h:1", None, {"ca-file": None, "client": {"cert": None}})
    assert "tls://h:1" in str(err.value) and "ca-file" in str(err.value) and "distributed.comm.tls" in str(err.value)


def test_headers_of_the_include_path_are_shipped_under_their_own_directory(tmp_path):
    from proofshim.plan import selector

    (tmp_path / "ana" / "inc").mkdir(parents=True)
    (tmp_path / "ext" / "sub").mkdir(parents=True)
    (tmp_path / "ana" / "Sel.C").write_text('#include "inc/Cuts.h"\n#include "Ext.h"\n#include <sub/Deep.h>\n'
                                            '#include <vector>\n#include "TH1D.h"\n')
    (tmp_path / "ana" / "inc" / "Cuts.h").write_text("// cuts\n")
    (tmp_path / "ext" / "Ext.h").write_text('#include "sub/Deep.h"\n')
    (tmp_path / "ext" / "sub" / "Deep.h").write_text('#include "Sibling.h"\n')
    (tmp_path / "ext" / "sub" / "Sibling.h").write_text("// sibling\n")
    code = selector.collect(selector.parse(str(tmp_path / "ana" / "Sel.C+")),
                            include_dirs=(str(tmp_path / "nothing"), str(tmp_path / "ext")))
    names = [rel for rel, _ in code.files]
    assert names == ["Sel.C", ".proofshim-include/1/Ext.h", ".proofshim-include/1/sub/Deep.h",
                     ".proofshim-include/1/sub/Sibling.h", "inc/Cuts.h"]
    assert code.include_dirs == (".proofshim-include/1",)
    without = selector.collect(selector.parse(str(tmp_path / "ana" / "Sel.C+")), include_dirs=())
    assert [rel for rel, _ in without.files] == ["Sel.C", "inc/Cuts.h"] and without.include_dirs == ()
    assert without.digest != code.digest


def test_the_documented_example_configuration_means_what_it_says():
    import os

    import yaml

    path = os.path.join(os.path.dirname(__file__), "..", "docs", "proofshim.yaml.example")
    with open(path) as fh:
        conf = yaml.safe_load(fh)["proofshim"]
    masters = conf["masters"]
    assert parse_open_url("proof://master.example:1093", ncpu=2, masters=masters).address == \
        "tcp://scheduler.example:8786"
    assert parse_open_url("alice@oldcluster", ncpu=2, masters=masters).address == "tls://scheduler.example:8786"
    assert parse_open_url("testfarm", ncpu=2, masters=masters).workers == 8
    spec = parse_open_url("", ncpu=2, default_workers=conf["workers"], default=conf["default"], masters=masters)
    assert spec.kind == "local" and spec.workers == 4
    assert set(conf["tls"]) == {"ca-file", "cert", "key"}


def test_workers_without_proofshim_or_with_another_version_are_reported():
    from proofshim.cluster.executor import installation_probe, installation_problems

    assert installation_probe()() == __import__("proofshim").__version__
    found = {"tcp://w1:1": "0.1.0", "tcp://w2:2": None, "tcp://w3:3": OSError("gone")}
    error, _ = installation_problems(found, "0.1.0", "tcp://sched:8786")
    assert "not installed on 1 of the 3 dask workers of tcp://sched:8786 (tcp://w2:2)" in error
    assert "(proofshim 0.1.0: pip install a wheel built from the client's checkout" in error
    assert "docs/DEPLOYMENT.md" in error
    error, warning = installation_problems({"tcp://w1:1": "0.0.9", "tcp://w3:3": "?"}, "0.1.0", "tcp://s:1")
    assert not error and "tcp://w1:1 has 0.0.9" in warning and "w3" not in warning


def test_proof_parameters_honoured_or_announced():
    from proofshim.plan import parameters

    # Names PROOF never read are the selectors' own: never announced.
    for name in ("PROOF_OUTPUTFILE", "PROOF_OUTPUTFILE_LOCATION", "PROOF_USE_NTP_RNDM", "MySel_Cut"):
        assert not parameters.is_proof_parameter(name) and parameters.unhonoured(name, "x") is None
    # Honoured ones, and values asking for what proofshim does anyway.
    for name, value in (("PROOF_UseTreeCache", 0), ("PROOF_StatsHist", ""), ("PROOF_FilesToProcess", None),
                        ("PROOF_UseParallelUnzip", 0), ("PROOF_Packetizer", "TPacketizerFile"),
                        ("PROOF_Packetizer", "TPacketizerAdaptive"), ("PROOF_FillColor", 45)):
        assert parameters.is_proof_parameter(name) and parameters.unhonoured(name, value) is None, name
    for name, value in (("PROOF_UseParallelUnzip", 1), ("PROOF_Packetizer", "TPacketizer"),
                        ("PROOF_UseMergers", 0), ("PROOF_RateEstimation", "average")):
        why = parameters.unhonoured(name, value)
        assert why and parameters.message(name) == f"{name} is accepted but has no effect with proofshim: {why}"


def test_performance_records_latencies_and_file_visits():
    """The statistics behind PROOF's performance histograms and tree (pure part of perfstats.py)."""
    from types import SimpleNamespace

    from proofshim.face import perfstats
    from proofshim.worker.slots import PacketResult, Slot

    def res(slot, element, processed, started, elapsed, cpu=0.1):
        return PacketResult(slot, 0, processed, 0, elapsed, 10 * processed, -1, "", cpu=cpu, started=started,
                            element=element)

    s0, s1 = Slot("q", "tcp://w0:1", 1), Slot("q", "tcp://w1:1", 2)
    tallies = {"tcp://w0:1": SimpleNamespace(records=[res(s0, 0, 100, 10.0, 1.0), res(s0, 0, 50, 11.5, 0.5),
                                                      res(s0, 1, 70, 12.0, 1.0)]),
               "tcp://w1:1": SimpleNamespace(records=[res(s1, 1, 30, 10.2, 2.0)])}
    recs = perfstats.records(tallies, {"tcp://w0:1": "0.0", "tcp://w1:1": "0.1"}, ["/d/a.root", "/d/b.root"])
    assert [(r.ordinal, r.url, r.entries) for r in recs] == [
        ("0.0", "/d/a.root", 100), ("0.1", "/d/b.root", 30), ("0.0", "/d/a.root", 50), ("0.0", "/d/b.root", 70)]
    assert sum(r.entries for r in recs) == 250
    lat = perfstats.latencies(recs)
    assert [round(lat[r], 6) for r in recs] == [0.0, 0.0, 0.5, 0.0], "waits between a slot's packets"
    visits = perfstats.file_visits(recs)
    assert [(a.ordinal, a.url, a.started, b.ended) for a, b in visits] == [
        ("0.0", "/d/a.root", 10.0, 12.0), ("0.1", "/d/b.root", 10.2, 12.2), ("0.0", "/d/b.root", 12.0, 13.0)]
    assert perfstats.worker_labels(["0.0"], recs) == ["0.0", "0.1"]
    cycles = perfstats.records({"w": SimpleNamespace(records=[res(s0, 0, 5, 1.0, 1.0)])}, {}, [], ["f.root"])
    assert cycles[0].url == "f.root" and cycles[0].ordinal == "?", "TPacketizerFile: the file of the cycle"


def test_a_macro_built_against_another_proofshim_library_is_rebuilt(tmp_path):
    from proofshim.face.macros import force_rebuild_if_stale, force_rebuild_line_if_stale

    macro = tmp_path / "run.C"
    macro.write_text("void run() {}\n")
    ours, theirs = "/cache/a/lib/ProofShim_cxx.so", "/cache/b/lib/ProofShim_cxx.so"
    # No library yet: ACLiC builds it anyway.
    assert force_rebuild_if_stale(f"{macro}+(1)", ours) == (f"{macro}+(1)", None)
    lib = tmp_path / "run_C.so"
    lib.write_bytes(b"\x7fELF\0libCore.so\0" + theirs.encode() + b"\0libc.so.6\0")
    assert force_rebuild_if_stale(f"{macro}+(1)", ours) == (f"{macro}++(1)", theirs)
    assert force_rebuild_if_stale(f"{macro}+g", ours) == (f"{macro}++g", theirs)
    assert force_rebuild_line_if_stale(f".L {macro}+", ours) == (f".L {macro}++", theirs)
    # Interpreted, already forced, or linked to this process's library: left alone.
    for arg in (str(macro), f"{macro}++"):
        assert force_rebuild_if_stale(arg, ours) == (arg, None)
    assert force_rebuild_if_stale(f"{macro}+", theirs) == (f"{macro}+", None)
    # Under ROOT's build directory.
    built = tmp_path / "build" / str(macro.parent).lstrip("/") / "run_C.so"
    built.parent.mkdir(parents=True)
    lib.rename(built)
    assert force_rebuild_if_stale(f"{macro}+", ours) == (f"{macro}+", None)
    assert force_rebuild_if_stale(f"{macro}+", ours, str(tmp_path / "build")) == (f"{macro}++", theirs)
