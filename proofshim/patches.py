"""The patch layer: hooks from the C++ PROOF classes into Python, the tree player that diverts
TChain::Process, TChain.SetProof and gROOT.GetListOfProofs. Everything goes through one journal
that `uninstall()` replays in reverse."""
from __future__ import annotations

import atexit
import functools
import logging
import os

from . import datasets, logs, macros, packages, runtime, session
from .errors import ProofShimError
from .journal import Journal

log = logging.getLogger("proofshim")

_journal = Journal()
_installed = False


def _nullptr():
    return runtime.import_root().nullptr


def _hook(where, failed):
    """Wrap a hook called from C++: no exception may cross into C++. proofshim's errors are logged
    the ROOT way, anything else with its traceback; the caller then gets PROOF's failure value
    (`failed`, or failed() when callable). `where(*args)` names the PROOF method in messages."""
    def wrap(fn):
        @functools.wraps(fn)
        def hooked(*args):
            try:
                return fn(*args)
            except ProofShimError as exc:
                log.error("%s", exc, extra={"where": where(*args)})
            except KeyboardInterrupt:
                log.error("aborted by the user (Ctrl-C)", extra={"where": where(*args)})
            except BaseException as exc:  # noqa: BLE001
                log.error("unexpected failure: %r", exc, exc_info=True, extra={"where": where(*args)})
            return failed() if callable(failed) else failed
        return hooked
    return wrap


def _method_name(proof, method, *_):
    return f"TProof::{method}"


@_hook(lambda *_: "TProof::Open", _nullptr)
def _open_hook(url, loglevel):
    return session.open_session(str(url), int(loglevel))


@_hook(lambda _p, kind, *_: "TProof::DrawSelect" if str(kind).startswith("draw:") else "TProof::Process", -1)
def _process_hook(proof, kind, data, sel, selobj, opt, nentries, first, extra):
    from . import draw, query  # noqa: PLC0415

    sess = session.get(proof)
    if sess is None:
        raise ProofShimError("this TProof object has no running session behind it (closed?)")
    kind = str(kind)
    if kind.startswith("draw:"):
        return draw.run(sess, kind, runtime.downcast(data), str(sel), str(opt), int(nentries), int(first),
                        extra)
    return query.run(sess, str(kind), runtime.downcast(data), str(sel),
                     runtime.downcast(selobj) if selobj else None, str(opt), int(nentries), int(first),
                     extra)


@_hook(_method_name, -1)
def _call_hook(proof, method, sarg, iarg):
    method, sarg, iarg = str(method), str(sarg), int(iarg)
    if method == "Ping":
        return 0
    sess = session.get(proof) if proof else None
    if method == "Close":
        if sess:
            sess.close()
        return 0
    if method == "Reset":
        return 0
    if method == "SendAsynMessage":
        log.info("%s", sarg, extra={"where": "TProofServ"})
        return 0
    if sess is None:
        raise ProofShimError(f"{method}: no running session behind this TProof object")
    if method == "Print":
        sess.print_info(sarg)
    elif method in ("SetParallel", "SetParallelRandom"):
        return sess.set_parallel(iarg)
    elif method == "SetLogLevel":
        logging.getLogger("proofshim").setLevel(logging.DEBUG if iarg > 1 else logging.INFO)
    elif method == "SlaveInfos":
        sess.fill_slave_infos()
    elif method == "ExistsDataSet":
        return 1 if datasets.exists(sarg) else 0
    elif method == "ShowDataSets":
        datasets.show(sarg)
    elif method == "RemoveDataSet":
        return datasets.remove(sarg)
    elif method == "Load":
        return sess.load_code(sarg, not_on_client=bool(iarg))
    elif method == "UploadPackage":
        return packages.upload(sess, sarg, iarg)
    elif method == "EnablePackage":
        opts = runtime.downcast(proof.GetPackageLoadOpts())
        return packages.enable(sess, sarg, not_on_client=bool(iarg), options=opts)
    elif method in ("ClearPackage", "ClearPackages"):
        return packages.clear(sess, sarg if method == "ClearPackage" else None)
    elif method == "ShowPackages":
        packages.show(sess, bool(iarg))
    elif method == "ShowEnabledPackages":
        packages.show_enabled(sess, bool(iarg))
    elif method == "ListPackages":
        packages.fill_names(sess, enabled=bool(iarg))
    elif method == "Exec":
        return sess.exec_everywhere(sarg)
    elif method == "StopProcess":
        sess.executor.request_stop(bool(iarg))
    elif method == "ShowLog":
        sess.show_log(iarg, to_window=bool(proof.SendingLogToWindow()))
    elif method == "ShowLogRef":
        sess.show_log(ref=sarg, to_window=bool(proof.SendingLogToWindow()))
    else:
        raise ProofShimError(f"{method} is not supported by proofshim")
    return 0


@_hook(_method_name, _nullptr)
def _object_hook(proof, method, sarg, obj):
    method, sarg = str(method), str(sarg)
    if method == "Ping":
        return _nullptr()
    sess = session.get(proof) if proof else None
    if method == "RegisterDataSet":
        name, _, options = sarg.partition("\n")
        fc = runtime.downcast(obj)
        if not fc or not fc.InheritsFrom("TFileCollection"):
            raise ProofShimError(f"RegisterDataSet('{name}'): a TFileCollection is needed")
        datasets.register(name, fc, options, sess.executor if sess else None)
        return fc
    if method == "GetDataSet":
        return datasets.get(sarg)
    if sess is None:
        raise ProofShimError(f"{method}: no running session behind this TProof object")
    if method == "GetLastLog":
        # PROOF's caller owns (and deletes) the macro; nullptr when nothing was logged.
        lines = sess.logs.render(sess.logs.unread())
        if not lines:
            return runtime.import_root().nullptr
        return _new_macro("ProofLastLog", f"log of {proof.GetSessionTag()}", lines)
    if method == "GetLog":
        start, end = (int(x) for x in sarg.split())
        macro = runtime.downcast(obj)
        text = "".join(f"{ln}\n" for ln in sess.logs.fetch(start, end))
        runtime.import_root().ProofShim.AddLines(macro, text)
        return macro
    if method == "GetSessionLogs":
        return _session_logs(sess)
    raise ProofShimError(f"{method} is not supported by proofshim")


def _new_macro(name: str, title: str, lines: list[str]):
    ROOT = runtime.import_root()
    macro = ROOT.TMacro()
    macro.SetNameTitle(name, title)
    ROOT.ProofShim.AddLines(macro, "".join(f"{ln}\n" for ln in lines))
    ROOT.SetOwnership(macro, False)
    return macro


def _session_logs(sess):
    """TProofMgr::GetSessionLogs: one TProofLogElem per worker ordinal, its queries in order."""
    ROOT = runtime.import_root()
    per_worker: dict[str, list[str]] = {}
    paths: dict[str, str] = {}
    for entry in sess.logs.entries:
        if entry.kind != "query":
            continue
        for w in entry.workers:
            per_worker.setdefault(w.ordinal, []).extend([entry.header(), *w.lines()])
            paths.setdefault(w.ordinal, os.path.dirname(w.path) if w.path else w.where)
    plog = ROOT.TProofLog(sess.tag, sess.spec.url, sess.proof.GetManager())
    for ordinal in sorted(per_worker, key=logs.ordinal_key):
        plog.AddElem(ordinal, paths[ordinal], "".join(f"{ln}\n" for ln in per_worker[ordinal]))
    ROOT.SetOwnership(plog, False)
    return plog


def _set_proof(self, on=True, refresh=False, gettreeheader=False):
    """TChain::SetProof: tie this chain to the current gProof (on) or untie it (off)."""
    ROOT = runtime.import_root()
    if on and self.GetPlayer().IsA().GetName() != "TProofShimTreePlayer":
        log.warning("chain '%s' was used before 'import proofshim': its Process() stays local; "
                    "create the chain after importing proofshim", self.GetName(),
                    extra={"where": "TChain::SetProof"})
    ROOT.ProofShim.SetChainProof(self, bool(on))


def _keep_alive_adder(original):
    """Wrap an Add-style method so the C++ list keeps the object after Python drops it."""
    def add(self, obj, *args):
        runtime.import_root().SetOwnership(obj, False)
        return original(self, obj, *args)
    add.__doc__ = original.__doc__
    return add


def _chain_process(original):
    """TChain.Process from Python: a chain tied to a session goes straight to it.

    TChain::Process itself first loads the tree of `firstentry` on the client; that fails (and
    silently returns 0) for files only the workers can read, or an entry beyond the chain.
    """
    def Process(self, selector, option="", nentries=-1, firstentry=0):
        ROOT = runtime.import_root()
        proof = ROOT.ProofShim.ProofForTree(self)
        if not proof:
            if nentries == -1 and firstentry == 0:
                return original(self, selector, option)
            return original(self, selector, option,
                            ROOT.TTree.kMaxEntries if nentries == -1 else nentries, firstentry)
        if isinstance(selector, str):
            return _process_hook(proof, "tree", self, selector, None, option, nentries, firstentry, None)
        return _process_hook(proof, "tree", self, "", selector, option, nentries, firstentry, None)
    Process.__doc__ = original.__doc__
    return Process


def _macro(original):
    """gROOT.Macro: a legacy macro calling chain->SetProof() runs from a rewritten copy."""
    def Macro(self, filename, *args):
        new, incdir = macros.prepare(str(filename), runtime.cache_dir())
        if incdir:
            runtime.add_include_path(incdir)
        return original(self, new, *args)
    Macro.__doc__ = original.__doc__
    return Macro


def _process_line(original):
    """gROOT.ProcessLine: '.x'/'.L' of such a macro likewise."""
    def ProcessLine(self, line, *args):
        new, incdir = macros.prepare_line(str(line), runtime.cache_dir())
        if incdir:
            runtime.add_include_path(incdir)
        return original(self, new, *args)
    ProcessLine.__doc__ = original.__doc__
    return ProcessLine


def _list_of_proofs(self):
    return runtime.import_root().ProofShim.ListOfProofs()


def _close_all() -> None:
    for sess in session.all_sessions():
        try:
            sess.proof.Close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def install() -> None:
    """Install the shim (idempotent)."""
    global _installed
    if _installed:
        return
    ROOT = runtime.load_library()
    hooks = ROOT.ProofShim
    for name, fn in (("gOpenHook", _open_hook), ("gProcessHook", _process_hook), ("gCallHook", _call_hook),
                     ("gObjectHook", _object_hook)):
        old = getattr(hooks, name)
        _journal.call(f"hook {name}", lambda n=name, f=fn: setattr(hooks, n, f),
                      lambda n=name: setattr(hooks, n, ROOT.nullptr))
        del old
    # The first call through a hook compiles cppyy's C++ wrapper of the Python function. If that
    # happened inside a macro ACLiC later unloads (a macro run interpreted, then with "+"), the
    # wrapper would go with it and the next call crash: call them once here.
    hooks.CallHook(ROOT.nullptr, "Ping", "", 0)
    hooks.ObjectHook(ROOT.nullptr, "Ping", "", ROOT.nullptr)
    _journal.call("TVirtualTreePlayer::SetPlayer",
                  lambda: ROOT.TVirtualTreePlayer.SetPlayer("TProofShimTreePlayer"),
                  lambda: ROOT.TVirtualTreePlayer.SetPlayer("TTreePlayer"))
    _journal.setattr(ROOT.TChain, "SetProof", _set_proof)
    _journal.setattr(ROOT.TChain, "Process", _chain_process(ROOT.TChain.Process))
    _journal.setattr(ROOT.TROOT, "GetListOfProofs", _list_of_proofs)
    _journal.setattr(ROOT.TROOT, "Macro", _macro(ROOT.TROOT.Macro))
    _journal.setattr(ROOT.TROOT, "ProcessLine", _process_line(ROOT.TROOT.ProcessLine))
    for cls in (ROOT.TProof, ROOT.TDSet):
        _journal.setattr(cls, "AddInput", _keep_alive_adder(cls.AddInput))
    _journal.call("atexit close sessions", lambda: atexit.register(_close_all),
                  lambda: atexit.unregister(_close_all))
    _installed = True


def uninstall() -> list[str]:
    """Close every session and undo every patch, newest first. Calling it twice is harmless."""
    global _installed
    _close_all()
    done = _journal.undo_all()
    _installed = False
    return done


def is_installed() -> bool:
    return _installed
