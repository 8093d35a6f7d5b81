"""The forms ROOT's own PROOF tutorials (runProof.C and its selectors) used, written anew: PROOF's
enum and constant values from Python and C++, what each PROOF header brought in, TSlaveInfo as
runProof.C used it, chain->Process in C++ macros before TChain::LoadTree, macros pulled in with
#include, PAR packages built with root-config and make, PROOF's sandbox, the tutorials found
beside $ROOTSYS/tutorials/proof, and the shim library's recorded include path."""
from __future__ import annotations

import ctypes
import getpass
import os
import re
import shutil
import socket
import subprocess
import sys
import uuid

import pytest
from conftest import HERE, selector_path

COUNT_SEL = selector_path("CountSel.C") + "+"
DSET_SEL = selector_path("DsetSel.C") + "+"
WRKDIR_SEL = selector_path("WrkDirSel.C") + "+"
MACROS = os.path.join(HERE, "macros")


def test_rewriting_routes_process_and_leaves_comments_strings_and_this_alone():
    from proofshim.face.macros import rewrite_source

    src = ('void f(TChain *c, TChain &o, TProof *p) {\n'
           '   c->SetProof();            // c->SetProof() in a comment\n'
           '   Printf("c->Process(x)"); /* o.Process("y") */\n'
           '   c->Process("S.C+"); o.Process("S.C+", "", 10); p->Process("S.C+", 5);\n'
           '   ana.GetChain()->Process("S.C+"); this->Process(1); c->Process();\n'
           '   gROOT->ProcessLine(".x a.C");\n}\n')
    out = rewrite_source(src)
    assert "ProofShim::Chain(c).SetProof();            // c->SetProof() in a comment" in out
    assert 'Printf("c->Process(x)"); /* o.Process("y") */' in out
    assert 'ProofShim::Tree(c)->Process("S.C+"); ProofShim::TreeObj(o).Process("S.C+", "", 10);' in out
    assert 'ProofShim::Tree(p)->Process("S.C+", 5);' in out, "identity for non-trees, decided in C++"
    assert 'ProofShim::Tree(ana.GetChain())->Process("S.C+"); this->Process(1); ProofShim::Tree(c)->Process();' in out
    assert 'gROOT->ProcessLine(".x a.C");' in out
    # Without SetProof/gROOT->Proof in the include tree, nothing is rewritten (Process alone neither).
    plain = 'void g(TChain *c) { c->Process("S.C+"); }'
    assert rewrite_source(plain) == plain


def bit(n: int) -> int:
    return 1 << n


# Every enum constant of the PROOF classes, with the value PROOF's headers gave it
# (proof/proof/inc/*.h, proof/proofplayer/inc/TProofOutputFile.h of ROOT 6).
PROOF_ENUMS = [
    ("TProof", "kUsingSessionGui", bit(14)), ("TProof", "kNewInputData", bit(15)),
    ("TProof", "kIsClient", bit(16)), ("TProof", "kIsMaster", bit(17)), ("TProof", "kIsTopMaster", bit(18)),
    ("TProof", "kUseProgressDialog", bit(19)),
    ("TProof", "kSync", 0), ("TProof", "kAsync", 1),
    ("TProof", "kAppend", 0x1), ("TProof", "kOverwriteDataSet", 0x2), ("TProof", "kNoOverwriteDataSet", 0x4),
    ("TProof", "kOverwriteAllFiles", 0x8), ("TProof", "kOverwriteNoFiles", 0x10), ("TProof", "kAskUser", 0x0),
    ("TProof", "kFailIfExists", 0), ("TProof", "kOverwriteIfExists", 1), ("TProof", "kMergeIfExists", 2),
    ("TProof", "kUntar", 0x0), ("TProof", "kRemoveOld", 0x1),
    ("TProof", "kRunning", 0), ("TProof", "kStopped", 1), ("TProof", "kAborted", 2),
    ("TProof", "kOutputSize", 1), ("TProof", "kSendOutput", 2), ("TProof", "kBeMerger", 3),
    ("TProof", "kMergerDown", 4), ("TProof", "kStopMerging", 5), ("TProof", "kOutputSent", 6),
    ("TProof", "kPurge", 0x1), ("TProof", "kUnregistered", 0x2), ("TProof", "kDataset", 0x4),
    ("TProof", "kForceClear", 0x8),
    ("TDSetElement", "kHasBeenLookedUp", bit(15)), ("TDSetElement", "kWriteV3", bit(16)),
    ("TDSetElement", "kEmpty", bit(17)), ("TDSetElement", "kCorrupted", bit(18)),
    ("TDSetElement", "kNewRun", bit(19)), ("TDSetElement", "kNewPacket", bit(20)),
    ("TDSet", "kWriteV3", bit(16)), ("TDSet", "kEmpty", bit(17)), ("TDSet", "kValidityChecked", bit(18)),
    ("TDSet", "kSomeInvalid", bit(19)), ("TDSet", "kMultiDSet", bit(20)), ("TDSet", "kIsLocal", bit(21)),
    ("TProofOutputFile", "kMerge", 1), ("TProofOutputFile", "kDataset", 2),
    ("TProofOutputFile", "kRemote", 1), ("TProofOutputFile", "kLocal", 2), ("TProofOutputFile", "kCreate", 4),
    ("TProofOutputFile", "kRegister", 8), ("TProofOutputFile", "kOverwrite", 16),
    ("TProofOutputFile", "kVerify", 32),
    ("TProofOutputFile", "kOutputFileNameSet", bit(16)), ("TProofOutputFile", "kRetrieve", bit(17)),
    ("TProofOutputFile", "kSwapFile", bit(18)),
    ("TProofServ", "kHighMemory", bit(16)),
    ("TProofServ", "kQueryOK", 0), ("TProofServ", "kQueryModify", 1), ("TProofServ", "kQueryStop", 2),
    ("TProofServ", "kQueryEnqueued", 3),
    ("TQueryResult", "kAborted", 0), ("TQueryResult", "kSubmitted", 1), ("TQueryResult", "kRunning", 2),
    ("TQueryResult", "kStopped", 3), ("TQueryResult", "kCompleted", 4),
    ("TProofMgr", "kProofd", 0), ("TProofMgr", "kXProofd", 1), ("TProofMgr", "kProofLite", 2),
    ("TProofDesc", "kUnknown", -1), ("TProofDesc", "kIdle", 0), ("TProofDesc", "kRunning", 1),
    ("TProofDesc", "kShutdown", 2),
    ("TSlaveInfo", "kActive", 0), ("TSlaveInfo", "kNotActive", 1), ("TSlaveInfo", "kBad", 2),
    ("TProofDebug", "kNone", 0), ("TProofDebug", "kPacketizer", 1), ("TProofDebug", "kLoop", 2),
    ("TProofDebug", "kSelector", 4), ("TProofDebug", "kOutput", 8), ("TProofDebug", "kInput", 16),
    ("TProofDebug", "kGlobal", 32), ("TProofDebug", "kPackage", 64), ("TProofDebug", "kFeedback", 128),
    ("TProofDebug", "kCondor", 256), ("TProofDebug", "kDraw", 512), ("TProofDebug", "kAsyn", 1024),
    ("TProofDebug", "kCache", 2048), ("TProofDebug", "kCollect", 4096), ("TProofDebug", "kDataset", 8192),
    ("TProofDebug", "kSubmerger", 16384), ("TProofDebug", "kMonitoring", 32768),
    ("TProofDebug", "kAll", 0xFFFFFFFF),
    ("TProofLog", "kLogToBox", bit(16)), ("TProofLog", "kLeading", 0x1), ("TProofLog", "kTrailing", 0x2),
    ("TProofLog", "kAll", 0x3), ("TProofLog", "kGrep", 0x4),
]
# PROOF's file-scope constants (TProof.h).
PROOF_CONSTANTS = [
    ("kPROOF_Protocol", 36), ("kPROOF_Port", 1093), ("kPROOF_DynWrkPollInt_s", 10),
    ("kPROOF_ConfFile", "proof.conf"), ("kPROOF_ConfDir", "/usr/local/root"), ("kPROOF_WorkDir", ".proof"),
    ("kPROOF_CacheDir", "cache"), ("kPROOF_PackDir", "packages"), ("kPROOF_PackDownloadDir", "downloaded"),
    ("kPROOF_QueryDir", "queries"), ("kPROOF_DataSetDir", "datasets"), ("kPROOF_DataDir", "data"),
    ("kPROOF_CacheLockFile", "proof-cache-lock-"), ("kPROOF_PackageLockFile", "proof-package-lock-"),
    ("kPROOF_QueryLockFile", "proof-query-lock-"), ("kPROOF_TerminateWorker", "+++ terminating +++"),
    ("kPROOF_WorkerIdleTO", "+++ idle-timeout +++"), ("kPROOF_InputDataFile", "inputdata.root"),
    ("kPROOF_MissingFiles", "MissingFiles"),
]
HEADER_OF = {"TProof": "TProof.h", "TDSet": "TDSet.h", "TDSetElement": "TDSet.h",
             "TProofOutputFile": "TProofOutputFile.h", "TProofServ": "TProofServ.h",
             "TQueryResult": "TQueryResult.h", "TProofMgr": "TProofMgr.h", "TProofDesc": "TProofMgr.h",
             "TSlaveInfo": "TProof.h", "TProofDebug": "TProofDebug.h", "TProofLog": "TProofLog.h"}


def test_enum_and_constant_values_from_python(ROOT, proof):
    wrong = []
    for cls, name, value in PROOF_ENUMS:
        seen = getattr(getattr(ROOT, cls), name, None)
        if seen is None or int(seen) != value:
            wrong.append(f"{cls}.{name} = {seen} (PROOF: {value})")
    # Also through objects, as selectors written in Python and proofshim itself read them.
    pof = ROOT.TProofOutputFile("x.root", ROOT.TProofOutputFile.kDataset,
                                ROOT.TProofOutputFile.kRegister | ROOT.TProofOutputFile.kOverwrite)
    if int(pof.kOverwrite) != 16 or not pof.GetTypeOpt() & pof.kOverwrite:
        wrong.append(f"TProofOutputFile object: kOverwrite = {pof.kOverwrite}, type option {pof.GetTypeOpt()}")
    dset = ROOT.TDSet("TTree", "T")
    if int(dset.kEmpty) != bit(17):
        wrong.append(f"TDSet object: kEmpty = {dset.kEmpty}")
    for name, value in PROOF_CONSTANTS:
        seen = getattr(ROOT, name, None)
        seen = str(seen) if isinstance(value, str) and seen is not None else seen
        if seen != value:
            wrong.append(f"{name} = {seen!r} (PROOF: {value!r})")
    assert not wrong, "\n".join(wrong)


def test_enum_and_constant_values_from_cpp(ROOT, proof, tmp_path):
    """Interpreted (cling) and compiled (ACLiC) C++ both see PROOF's values."""
    lines = [f"static_assert((long long){cls}::{name} == {value}LL, \"{cls}::{name}\");"
             for cls, name, value in PROOF_ENUMS]
    for name, value in PROOF_CONSTANTS:
        if isinstance(value, str):
            lines.append(f'static_assert(sizeof({name}) > 0, "{name}");')
    checks = " && ".join(f'!strcmp({name}, "{value}")' if isinstance(value, str) else f"{name} == {value}"
                         for name, value in PROOF_CONSTANTS)
    includes = "".join(f'#include "{h}"\n' for h in sorted(set(HEADER_OF.values())))
    source = (includes + "#include <cstring>\n" + "\n".join(lines)
              + f"\nint proof_values_ok() {{ return ({checks}) ? 1 : 0; }}\n")
    assert ROOT.gInterpreter.Declare(source.replace("proof_values_ok", "proof_values_ok_cling"))
    assert ROOT.proof_values_ok_cling() == 1
    assert int(ROOT.gInterpreter.Calc("(long)TProofOutputFile::kOverwrite")) == 16
    # The library stays where it is: ACLiC links later compiles against every loaded library.
    path = tmp_path / "proof_values.C"
    path.write_text(source)
    assert ROOT.gSystem.CompileMacro(str(path), "k") == 1, "the static_asserts fail in compiled code"
    assert ROOT.proof_values_ok() == 1


def test_kOverwrite_replaces_a_registered_data_set(ROOT, fresh_proof, tmp_path):
    """A data set written with TProofOutputFile(..., kRegister | kOverwrite, ...) twice is replaced
    by the second query (with TObject's kOverwrite, 2, the second registration failed and a second
    runProof("stdvec") read the first query's data set)."""
    import dask

    name = ROOT.TNamed("DsetSel_Name", "tutforms_overwrite")
    ROOT.SetOwnership(name, False)
    fresh_proof.AddInput(name)
    with dask.config.set({"proofshim.dataset-dir": str(tmp_path / "store")}):
        assert fresh_proof.Process(DSET_SEL, 300) == 0
        assert fresh_proof.GetDataSet("tutforms_overwrite").GetTotalEntries("/cycles") == 300
        assert fresh_proof.Process(DSET_SEL, 700) == 0
        registered = fresh_proof.GetDataSet("tutforms_overwrite")
        assert registered.GetTotalEntries("/cycles") == 700, "the second query's data set replaced the first"


# ---- item: what each PROOF header brought in

# For each header: code that uses what PROOF's header provided, directly or through its includes.
HEADER_USES = {
    "TProof.h": """
        TProof *p = gProof; (void)p;
        TSlaveInfo wi("0.0", "host"); const char *h = wi.GetName(); (void)h;
        TMap files; files.SetName("PROOF_FilesToProcess");
        THashList *l = new THashList; l->Add(new TObjString("tree_0.0.root"));
        files.Add(new TObjString("host"), l); files.DeleteAll();
        TMacro m; m.AddLine("x"); TUrl u("root://h//f"); TMD5 md5; TRegexp re("a.*");
        TStopwatch sw; TProofMgr *mgr = nullptr; (void)mgr; TProofDesc *desc = nullptr; (void)desc;
        TProofProgressInfo pi; (void)pi; PrintProgress_t pp = nullptr; (void)pp;
        std::map<TString, int> mp; TSignalHandler *sh = nullptr; (void)sh; TThread *th = nullptr; (void)th;
        int dbg = TProofDebug::kAll; (void)dbg; int proto = kPROOF_Protocol; (void)proto;
        TParameter<Long_t> par("n", 1); TCollection *c = nullptr; (void)c; (void)gProofMutex;
        int w = TProof::kAsync + TProof::kPurge + TSlaveInfo::kActive; (void)w;""",
    "TProofServ.h": """
        TProofServ *s = gProofServ; (void)s;
        TQueryResult qr; TMacro *log = qr.GetLogFile(); (void)log; TDatime now;
        TObjString os("x"); TMap map; TPair *pair = nullptr; (void)pair; TStopwatch sw; TTimer *t = nullptr; (void)t;
        TApplication *app = nullptr; (void)app; TProofLockPath lock("/tmp/x.lock"); (void)lock.IsLocked();
        int a = TProofServ::kQueryOK; (void)a;""",
    "TDSet.h": """
        TDSet set("TTree", "T"); set.Add("f.root");
        TDSetElement *e = set.Next(); (void)e; TDSetElement::FriendsList_t friends; std::set<int> s;
        TCut cut("x > 1"); int b = TDSet::kEmpty | TDSetElement::kNewPacket; (void)b;""",
    "TProofMgr.h": """
        TProofMgr *m = nullptr; (void)m; TProofDesc d("tag", "alias", "url", 1); (void)d.IsIdle();
        TUrl u("lite://"); TList l; const char *home = gSystem->HomeDirectory(); (void)home;
        TProofMgr_t hook = nullptr; (void)hook; int t = TProofMgr::kProofLite; (void)t;""",
    "TQueryResult.h": """
        TQueryResult *q = nullptr; (void)q; TMacro m; TDatime d; int s = TQueryResult::kCompleted; (void)s;""",
    "TProofOutputFile.h": """
        TProofOutputFile *f = nullptr; (void)f; UInt_t o = TProofOutputFile::kRegister | TProofOutputFile::kOverwrite;
        (void)o; TNamed n("a", "b");""",
    "TProofDebug.h": """
        int shown = 0; PDB(kLoop, 1) shown++; (void)shown; TProofDebug::EProofDebugMask m = gProofDebugMask; (void)m;""",
    "TProofLog.h": """
        TProofLog *l = nullptr; (void)l; TProofLogElem *e = nullptr; (void)e; int o = TProofLog::kTrailing; (void)o;""",
    "TSlaveInfo.h": """
        TSlaveInfo wi("0.1", "host", 0, "", "/data"); SysInfo_t si = wi.GetSysInfo(); (void)si;
        const char *dd = wi.GetDataDir(); (void)dd;""",
}


def _compile_only(source: str, tmp_path) -> subprocess.CompletedProcess:
    from proofshim.util import rootsys, runtime

    path = tmp_path / f"uses_{uuid.uuid4().hex[:8]}.cxx"
    path.write_text(source)
    config = os.path.join(rootsys.tools_dir(), "root-config")
    cflags = subprocess.run([config, "--cflags"], capture_output=True, text=True, check=True).stdout.split()
    return subprocess.run(["c++", "-fsyntax-only", *cflags, f"-I{runtime.INCLUDE_DIR}", str(path)],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("header", sorted(HEADER_USES))
def test_each_header_provides_what_proofs_did(ROOT, proof, header, tmp_path):
    """A file that includes only `header` compiles using the types PROOF's header brought in, and
    the header's enums have PROOF's values in compiled code."""
    asserts = "\n".join(f'static_assert((long long){cls}::{name} == {value}LL, "{cls}::{name}");'
                        for cls, name, value in PROOF_ENUMS if HEADER_OF[cls] == header)
    source = f'#include "{header}"\n{asserts}\nvoid uses()\n{{{HEADER_USES[header]}\n}}\n'
    res = _compile_only(source, tmp_path)
    assert res.returncode == 0, f"{header} alone does not provide what PROOF's did:\n{res.stderr[-3000:]}"


def test_slave_infos_name_the_host_and_the_data_directory(ROOT, fresh_proof, chain):
    infos = list(fresh_proof.GetListOfSlaveInfos())
    assert [i.GetOrdinal() for i in infos] == ["0.0", "0.1"]
    host = str(ROOT.gSystem.HostName())
    assert all(str(i.GetName()) == host == socket.gethostname() for i in infos), "PROOF: the worker's host"
    dirs = {str(i.GetOrdinal()): str(i.GetDataDir()) for i in infos}
    assert all(os.path.isdir(d) for d in dirs.values()) and len(set(dirs.values())) == 2
    # The directory a worker's selector gets from gProofServ->GetDataDir().
    c = chain()
    c.SetProof()
    assert c.Process(WRKDIR_SEL) == 0
    c.SetProof(False)
    seen = {str(o.GetName()).split()[1]: str(o.GetTitle()) for o in fresh_proof.GetOutputList()
            if str(o.GetName()).startswith("datadir ")}
    assert seen, "no worker reported its data directory"
    for ordinal, datadir in seen.items():
        assert datadir == dirs[ordinal], f"worker {ordinal}"
        assert str(fresh_proof.GetOutput(f"host {ordinal}").GetTitle()) == infos[0].GetName()
    # runProof.C's form: a compiled macro that includes only TProof.h keys a TMap by GetName().
    err = ctypes.c_int(0)
    assert ROOT.gROOT.Macro(os.path.join(MACROS, "slaveinfo_map.C") + "+(2)", err) == 0
    assert err.value == 0


# ---- chain->Process in C++ macros, macros pulled in with #include
# Interpreted through gROOT.Macro in this process, compiled (ACLiC) through `proofshim run` in its
# own: cling cannot unload a macro run interpreted that ran a query to recompile it in the same
# process (a crash in TCling's unloading, with or without proofshim's rewriting).

def _run_macro(ROOT, macro: str, aclic: str, capfd) -> str:
    if not aclic:
        capfd.readouterr()
        err = ctypes.c_int(0)
        rc = ROOT.gROOT.Macro(macro, err)
        out = capfd.readouterr().out
        assert err.value == 0 and rc == 0, out
        return out
    path, _, args = macro.partition("(")
    res = subprocess.run([sys.executable, "-m", "proofshim", "run", f"{path}+({args}"], capture_output=True,
                         text=True, timeout=900)
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout


@pytest.mark.parametrize("aclic", ["", "+"])
def test_macro_chain_process_goes_to_the_workers_before_loading_the_first_file(
        ROOT, fresh_proof, data_files, total_entries, tmp_path, aclic, capfd):
    """ROOT 6.40's TChain::Process opens the chain's first file on the client first and returns 0
    without a word when it cannot. PROOF judged the files on the workers: the unreadable one is
    skipped and listed in MissingFiles, the others are processed, whatever holds the chain."""
    missing = str(tmp_path / "not_on_the_client.root")
    good = " ".join(data_files)
    macro = os.path.join(MACROS, "process_forms.C") + f'("{missing}", "{good}", "{COUNT_SEL}", {total_entries})'
    out = _run_macro(ROOT, macro, aclic, capfd)
    assert out.count("missing file listed") == 5, out
    assert "all forms processed on the workers" in out


@pytest.mark.parametrize("aclic", ["", "+"])
def test_macro_included_by_the_driver_is_rewritten(ROOT, fresh_proof, data_files, total_entries, aclic, capfd):
    """A driver without SetProof includes a macro that calls chain->SetProof(): the included macro
    is rewritten too (it did not compile: ROOT 6.40's TChain has no SetProof)."""
    macro = os.path.join(MACROS, "include_driver.C") + f'("{" ".join(data_files)}", "{COUNT_SEL}", {total_entries})'
    out = _run_macro(ROOT, macro, aclic, capfd)
    assert f"n_Process {total_entries} (expected {total_entries})" in out, out


# ---- PAR packages built with root-config and make

def test_package_built_with_root_config_and_make(ROOT, fresh_proof, tmp_path, capfd):
    from proofshim.util import rootsys

    fresh_proof.ClearPackages()
    src = tmp_path / "rcgain"
    shutil.copytree(os.path.join(HERE, "packages", "rcgain"), src)
    (src / "stamp.txt").write_text(uuid.uuid4().hex)   # a new PAR: BUILD.sh runs in this test
    try:
        capfd.readouterr()
        assert fresh_proof.UploadPackage(str(src)) == 0
        assert fresh_proof.EnablePackage("rcgain") == 0
        out = capfd.readouterr().out
        assert "rcgain-BUILD: PROOF client" in out, out
        assert f"rcgain-BUILD: ROOTSYS={rootsys.real_rootsys()}" in out
        incdir = str(ROOT.TROOT.GetIncludeDir()).rstrip("/")
        assert f"incdir={incdir} " in out, "root-config reports where ROOT's headers are"
        assert "rcgain-BUILD: done" in out
        assert "rcgain-SETUP: PROOF client" in out
        assert out.count("rcgain-SETUP: PROOF-Lite node (session has 2 workers)") == 2, out
        assert out.count("rcgain-SETUP(): done") == 3, "SETUP's own text is not renamed"
        assert ROOT.RcGain(2.0) == 4.25, "the library BUILD.sh made is loaded on the client"
        assert fresh_proof.Exec('printf("rcgain=%g\\n", RcGain(3));') == 0
        assert capfd.readouterr().out.count("rcgain=9.25") == 2, "and on both workers"
    finally:
        fresh_proof.ClearPackages()


# ---- the tutorials' way of finding their selectors, PROOF's sandbox, the library's include path

def test_tutorials_beside_the_macro_are_found_as_rootsys_tutorials_proof(ROOT, tmp_path):
    """runProof.C finds its selectors under `dirname(dirname(root.exe))/tutorials/proof`, root.exe
    being the one on PATH: for a macro run through the shim that is the macro's own directory,
    wherever it sits (a user's directory here), and the rest of that installation is ROOT's."""
    tut = tmp_path / "mytutorials"
    tut.mkdir()
    (tut / "TutSel.C").write_text("// a selector beside the driver\n")
    (tut / "find_selector.C").write_text(r'''
#include "TSystem.h"
int find_selector()
{
   char *rootbin = gSystem->Which(gSystem->Getenv("PATH"), "root.exe", kExecutePermission);
   if (!rootbin) { printf("find_selector: root.exe not found\n"); return 1; }
   TString rootsys = gSystem->GetDirName(gSystem->GetDirName(rootbin));
   delete[] rootbin;
   TString sel = TString::Format("%s/tutorials/proof/TutSel.C", rootsys.Data());
   printf("find_selector: %s %s\n", sel.Data(), gSystem->AccessPathName(sel) ? "missing" : "found");
   printf("find_selector: include %s\n", gSystem->AccessPathName(rootsys + "/include/TObject.h") ? "missing" : "found");
   return gSystem->AccessPathName(sel) ? 2 : 0;
}
''')
    res = subprocess.run([sys.executable, "-m", "proofshim", "run", str(tut / "find_selector.C")], cwd=str(tmp_path),
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "TutSel.C found" in res.stdout and "include found" in res.stdout


DRIVER_SANDBOX = r'''
import sys
import ROOT
import proofshim
sandbox, selector = sys.argv[1], sys.argv[2]
ROOT.gEnv.SetValue("Proof.Sandbox", sandbox)
p = ROOT.TProof.Open("lite:///?workers=2")
print("DATADIRS", " ".join(str(i.GetDataDir()) for i in p.GetListOfSlaveInfos()))
name = ROOT.TNamed("DsetSel_Name", "sbx_ds")
ROOT.SetOwnership(name, False)
p.AddInput(name)
rc = p.Process(selector, 200)
print("RC", rc, "EXISTS", p.ExistsDataSet("sbx_ds"))
fc = p.GetDataSet("sbx_ds")
print("FILES", " ".join(str(fi.GetCurrentUrl().GetFile()) for fi in fc.GetList()))
p.Close()
'''


def test_proof_sandbox_holds_data_sets_and_the_workers_data(tmp_path):
    """gEnv's Proof.Sandbox, set before TProof::Open as ROOT's getProof.C did: the session's data
    sets go to <sandbox>/datasets and its local workers' data to <sandbox>/data/<ordinal>/<tag>."""
    sandbox = tmp_path / "sandbox"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASK_PROOFSHIM__DATASET")}
    res = subprocess.run([sys.executable, "-c", DRIVER_SANDBOX, str(sandbox), DSET_SEL], cwd=str(tmp_path),
                         capture_output=True, text=True, timeout=900, env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    lines = {ln.split()[0]: ln.split()[1:] for ln in res.stdout.splitlines() if ln.split()}
    assert lines["RC"] == ["0", "EXISTS", "True"], res.stdout + res.stderr
    user = getpass.getuser()
    assert (sandbox / "datasets" / "default" / user / "sbx_ds.root").is_file()
    datadirs = lines["DATADIRS"]
    assert len(datadirs) == 2 and all(d.startswith(str(sandbox / "data") + "/") for d in datadirs), datadirs
    assert {d.split("/")[-2] for d in datadirs} == {"0.0", "0.1"}
    files = lines["FILES"]
    assert files and all(f.startswith(str(sandbox / "data") + "/") for f in files), files


def test_library_build_records_neither_the_callers_directory_nor_proofshims_location(tmp_path):
    """The shim library's dictionary records the include path and working directory of its build,
    and every process that loads it adds them to the include path of its ACLiC compiles: they are
    the library's own directory, not the first caller's working directory (nor a temporary one)."""
    cache = tmp_path / "cache"
    first, second = tmp_path / "first_caller", tmp_path / "second_caller"
    first.mkdir()
    second.mkdir()
    probe = ("import ROOT\nbefore = set(str(ROOT.gInterpreter.GetIncludePath()).split())\nimport proofshim\n"
             "after = str(ROOT.gInterpreter.GetIncludePath()).split()\n"
             "print('ADDED', ' '.join(p for p in after if p not in before))\n")
    env = dict(os.environ, PROOFSHIM_CACHE_DIR=str(cache))
    for cwd in (first, second):   # the first builds the library, the second only loads it
        res = subprocess.run([sys.executable, "-W", "ignore", "-c", probe], cwd=str(cwd), capture_output=True,
                             text=True, timeout=1200, env=env)
        assert res.returncode == 0, res.stdout + res.stderr
        # A new host's first import says, on one line, that it builds the library; later ones say nothing.
        build = [ln for ln in res.stderr.splitlines() if "C++ library" in ln]
        if cwd == first:
            assert len(build) == 1 and re.fullmatch(
                r"Info in <proofshim>: building proofshim's C\+\+ library for ROOT 6\.\S+ in "
                + re.escape(str(cache)) + r"/\S+ \(once per host and version of proofshim, ~20 s\)",
                build[0]), res.stderr
        else:
            assert not build, res.stderr
        added = [ln for ln in res.stdout.splitlines() if ln.startswith("ADDED")][0].split()[1:]
        dirs = [a[2:].strip('"').rstrip("/") for a in added]
        assert str(first) not in dirs and str(second) not in dirs, dirs
        assert all(os.path.isdir(d) for d in dirs), f"a directory that does not exist: {dirs}"
        assert all(d.startswith(str(cache)) or d.startswith("/usr") or d.endswith("proofshim/include")
                   for d in dirs), dirs
