"""The patch layer: hooks from the C++ PROOF classes into Python, the tree player that diverts
TChain::Process, TChain.SetProof and gROOT.GetListOfProofs. Everything goes through one journal
that `uninstall()` replays in reverse."""
from __future__ import annotations

import atexit
import functools
import logging
import os

from . import macros, methods, session
from ..worker import pyselector
from ..util import rootsys, runtime
from ..util.errors import ProofShimError
from ..util.journal import Journal

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
                gone = session.gone_message(args[0]) if args else ""
                if gone:   # what broke is only a consequence: say what happened
                    log.error("%s", gone, extra={"where": where(*args)})
                else:
                    log.error("unexpected failure: %r", exc, exc_info=True, extra={"where": where(*args)})
            return failed() if callable(failed) else failed
        return hooked
    return wrap


def _method_name(proof, method, *_):
    return f"TProof::{method}"


@_hook(lambda *_: "TProof::Open", _nullptr)
def _open_hook(args, loglevel):
    # TProof::Open passes "url\nconffile\nconfdir".
    url, conffile, confdir = (str(args).split("\n", 2) + ["", ""])[:3]
    proof = session.open_session(url, int(loglevel), conffile, confdir)
    if _installed:
        _run_at_exit_first()
        runtime.import_root().ProofShim.ExitGuardArm()
    return proof


@_hook(lambda _p, kind, *_: "TProof::DrawSelect" if str(kind).startswith("draw:") else "TProof::Process", -1)
def _process_hook(proof, kind, data, sel, selobj, opt, nentries, first, extra):
    from . import draw, query  # noqa: PLC0415

    kind = str(kind)
    sess = session.get(proof)
    if sess is None:
        raise ProofShimError("this TProof object has no running session behind it (closed?)")
    sess.executor.check_connection()   # a session whose scheduler is gone processes nothing
    if "ASYN" in str(opt).upper():
        session.CompatCalls.async_mode(sess)
    queries = sess.proof.GetQueryResults()
    before = queries.Last() if queries.GetSize() else None
    sess.proof.SetBusy(True)   # IsIdle() is false while the query runs (slots may ask)
    try:
        if kind.startswith("draw:"):
            sess.draw_queries += 1
            return draw.run(sess, kind, runtime.downcast(data), str(sel), str(opt), int(nentries),
                            int(first), extra)
        return query.run(sess, str(kind), runtime.downcast(data), str(sel), _selector_object(selobj),
                         str(opt), int(nentries), int(first), extra)
    finally:
        sess.proof.SetBusy(False)
        last = queries.Last() if queries.GetSize() else None
        if last and (before is None or not _same_object(last, before)):
            sess.proof.QueryResultReady(str(last.GetTitle()))


def _selector_object(selobj):
    """The selector object of a Process call: a Python selector as the user made it (C++ hands the
    hook a TSelector proxy of it, without its Python class), a C++ one as its own class."""
    if not selobj:
        return None
    if pyselector.is_python_selector(selobj):
        return selobj
    return pyselector.passed_object(selobj) or runtime.downcast(selobj)


def _same_object(a, b) -> bool:
    """Whether two proxies are the same C++ object."""
    ROOT = runtime.import_root()
    return ROOT.addressof(a) == ROOT.addressof(b)


def _session_for(entry, proof):
    """The session a registry row's handler gets: None without one, unless the row needs it."""
    sess = session.get(proof) if proof else None
    if sess is None and entry.needs_session:
        raise ProofShimError(f"{entry.name}: no running session behind this TProof object")
    return sess


@_hook(_method_name, -1)
def _call_hook(proof, method, sarg, iarg):
    """ProofShim::CallHook: the method's row of the registry (face/methods.py) serves it."""
    method, sarg, iarg = str(method), str(sarg), int(iarg)
    if method in methods.NOTE_KINDS:   # ProofShim::Note: a no-effect or refused method names itself in sarg
        return methods.find(methods.NOTE, sarg).note()
    entry = methods.find(methods.CALL, method)
    rc = entry.handler(_session_for(entry, proof), sarg, iarg)
    return 0 if rc is None else rc


@_hook(_method_name, _nullptr)
def _object_hook(proof, method, sarg, obj):
    """ProofShim::ObjectHook: the method's row of the registry (face/methods.py) serves it."""
    entry = methods.find(methods.OBJECT, str(method))
    result = entry.handler(_session_for(entry, proof), str(sarg), obj)
    return _nullptr() if result is None else result


def _python_slots(sess, signal: str):
    """The session's list of Python callables for one of TProof's signals."""
    from .progress import progress_arity  # noqa: PLC0415

    name = signal.partition("(")[0].strip()
    if name == "Progress":
        return sess.progress_callbacks, (lambda fn: (fn, progress_arity(signal)))
    if name == "Feedback":
        return sess.feedback_callbacks, (lambda fn: fn)
    raise ProofShimError(f"Connect: proofshim connects Python callables to 'Progress(...)' and "
                         f"'Feedback(TList*)' only, not to {signal!r}")


def _connect(wrapped, instance, args, kwargs):
    """TProof.Connect(signal, python_callable) for Progress/Feedback; C++ slots as TQObject does."""
    if len(args) == 2 and callable(args[1]) and not kwargs:
        sess = session.get(instance)
        if sess is None:
            raise ProofShimError("Connect: this TProof object has no running session behind it")
        slots, entry = _python_slots(sess, str(args[0]))
        slots.append(entry(args[1]))
        return True
    return wrapped(*args, **kwargs)


def _disconnect(wrapped, instance, args, kwargs):
    """TProof.Disconnect(signal, python_callable) undoes Connect(signal, python_callable)."""
    if len(args) == 2 and callable(args[1]) and not kwargs:
        sess = session.get(instance)
        if sess is None:
            return False
        slots, _ = _python_slots(sess, str(args[0]))
        kept = [s for s in slots if (s[0] if isinstance(s, tuple) else s) is not args[1]]
        found = len(kept) != len(slots)
        slots[:] = kept
        return found
    return wrapped(*args, **kwargs)


def _set_proof(self, on=True, refresh=False, gettreeheader=False):
    """TChain::SetProof: process this chain on the gProof of the time of Process/Draw (on), which
    may be opened after this call, or in this process (off)."""
    ROOT = runtime.import_root()
    if on and self.GetPlayer().IsA().GetName() != "TProofShimTreePlayer":
        log.warning("chain '%s' was used before 'import proofshim': its Process() stays local; "
                    "create the chain after importing proofshim", self.GetName(),
                    extra={"where": "TChain::SetProof"})
    ROOT.ProofShim.SetChainProof(self, bool(on))


def _keep_alive(wrapped, instance, args, kwargs):
    """An Add-style method: the C++ list keeps the object after Python drops it."""
    if args:
        runtime.import_root().SetOwnership(args[0], False)
    return wrapped(*args, **kwargs)


def _process_args(selector, option="", nentries=-1, firstentry=0):
    return selector, option, nentries, firstentry


def _chain_process(wrapped, instance, args, kwargs):
    """TChain.Process from Python: a chain tied to a session goes straight to it.

    TChain::Process itself first loads the tree of `firstentry` on the client; that fails (and
    silently returns 0) for files only the workers can read, or an entry beyond the chain.
    """
    selector, option, nentries, firstentry = _process_args(*args, **kwargs)
    ROOT = runtime.import_root()
    proof = ROOT.ProofShim.ProofForTree(instance)
    if not proof and pyselector.runs_locally_here(selector):
        return pyselector.run_local(instance, selector, option, nentries, firstentry)
    if not proof and ROOT.ProofShim.MissingSession(instance, "Process"):
        return -1
    if not proof:
        if isinstance(selector, str):
            selector = _rebuilt_if_stale(selector, where="TChain::Process")
        if nentries == -1 and firstentry == 0:
            return wrapped(selector, option)
        return wrapped(selector, option, ROOT.TTree.kMaxEntries if nentries == -1 else nentries, firstentry)
    if isinstance(selector, str):
        return _process_hook(proof, "tree", instance, selector, None, option, nentries, firstentry, None)
    return _process_hook(proof, "tree", instance, "", selector, option, nentries, firstentry, None)


def _tree_process(wrapped, instance, args, kwargs):
    """TTree.Process from Python: pyroot's local TPySelector run, which ROOT 6.40 cannot do."""
    if args and pyselector.runs_locally_here(args[0]):
        selector, option, nentries, firstentry = _process_args(*args, **kwargs)
        return pyselector.run_local(instance, selector, option, nentries, firstentry)
    if args and isinstance(args[0], str):
        args = (_rebuilt_if_stale(args[0], where="TTree::Process"), *args[1:])
    return wrapped(*args, **kwargs)


def _passing_selectors(wrapped, instance, args, kwargs):
    """TProof.Process / TDSet.Process from Python: a Python selector object given to them stays
    itself for the query (C++ would hand the shim a bare TSelector proxy of it)."""
    with pyselector.passing(args):
        return wrapped(*args, **kwargs)


def _rewriting(prepare, line: bool):
    """gROOT.Macro (prepare=macros.prepare) or gROOT.ProcessLine (macros.prepare_line): a legacy
    macro calling chain->SetProof() or gROOT->Proof() runs from a rewritten copy; ROOT's PROOF
    tutorials find their selectors beside the macro (rootsys.expose_tutorials)."""
    def call(wrapped, instance, args, kwargs):
        path = macros.macro_path(str(args[0]), line=line)
        if path:
            runtime.parse_proof_headers()
            try:
                rootsys.expose_tutorials(os.path.dirname(path))
            except OSError as exc:
                log.warning("could not make ROOT's tutorials visible beside %s: %s", path, exc,
                            extra={"where": "TROOT::Macro"})
        new, incdir = prepare(str(args[0]), runtime.cache_dir())
        if incdir:
            runtime.add_include_path(incdir)
        rebuild = macros.force_rebuild_line_if_stale if line else macros.force_rebuild_if_stale
        new = _rebuilt_if_stale(new, rebuild, "TROOT::Macro", path)
        return wrapped(new, *args[1:], **kwargs)
    return call


def _rebuilt_if_stale(arg: str, rebuild=macros.force_rebuild_if_stale, where: str = "", name: str | None = None) -> str:
    """`arg`, an ACLiC argument ('X.C+', or a prompt line with rebuild=force_rebuild_line_if_stale),
    made '++' when the macro's existing library links to another copy of proofshim's library (one
    built with another proofshim cache): ACLiC would judge it up to date and load that copy
    beside this process's, whose PROOF classes are not the active ones."""
    new, linked = rebuild(arg, runtime.library_file(), str(runtime.import_root().gSystem.GetBuildDir()))
    if linked:
        log.info("recompiling %s: its compiled library links to proofshim's library at %s, "
                 "not to this process's %s", name or arg, linked, runtime.library_file(), extra={"where": where})
    return new


def _get_selector(wrapped, instance, args, kwargs):
    """TSelector.GetSelector("X.C+") from Python: a stale build of X is recompiled (above)."""
    if args and isinstance(args[0], str):
        args = (_rebuilt_if_stale(args[0], where="TSelector::GetSelector"), *args[1:])
    return wrapped(*args, **kwargs)


def _bind(addr: int, cls: str = "TObject"):
    """The C++ object at `addr` as a proxy of its actual class (as cppyy hands objects to Python
    callbacks: the proxy Python already holds, if any); a null proxy of `cls` for 0."""
    import cppyy  # noqa: PLC0415 - loaded with ROOT

    obj = cppyy.bind_object(addr, cls)
    if not addr or cls == "TProof":
        return obj
    actual = str(obj.IsA().GetName())
    return cppyy.bind_object(addr, actual) if actual and actual != cls else obj


def _address(obj) -> int:
    ROOT = runtime.import_root()
    # Not `not obj`: an empty TList is false, and a tree's truth value loads its branches.
    return 0 if obj is None or obj is ROOT.nullptr else int(ROOT.addressof(obj))


# What the C++ hooks call (ProofShim::SetPythonHooks): objects come as addresses, results go back
# as integers (addresses for objects). Each hook catches its own errors (_hook).
def _open_entry(args, loglevel):
    return _address(_open_hook(args, loglevel))


def _process_entry(proof, kind, data, sel, selobj, opt, nentries, first, extra):
    return int(_process_hook(_bind(proof, "TProof"), kind, _bind(data), sel, _bind(selobj, "TSelector"), opt,
                             nentries, first, _bind(extra)))


def _call_entry(proof, method, sarg, iarg):
    return int(_call_hook(_bind(proof, "TProof"), method, sarg, iarg))


def _object_entry(proof, method, sarg, obj):
    return _address(_object_hook(_bind(proof, "TProof"), method, sarg, _bind(obj)))


def _set_hooks(hooks) -> None:
    if not hooks.SetPythonHooks(_open_entry, _process_entry, _call_entry, _object_entry):
        raise RuntimeError("proofshim could not connect its C++ classes to Python (the Python C API "
                           "was not found in this process)")


def _restore_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


# The PROOF classes whose enum constants Python must see with PROOF's values. cppyy looks a class
# attribute up in the base classes first when they already hold it: TProofOutputFile.kOverwrite
# was TObject's kOverwrite (2), not PROOF's (16).
ENUM_CLASSES = ("TProof", "TDSet", "TDSetElement", "TProofOutputFile", "TProofServ", "TQueryResult", "TProofMgr",
                "TProofDesc", "TSlaveInfo", "TProofDebug", "TProofLog")


def _class_patches(ROOT) -> list[tuple[str, object]]:
    """(class name, patch taking the Python class) for every class-level patch: the PROOF
    classes' enum constants, TChain's and TTree's Process, TSelector.GetSelector, TProof's and
    TDSet's methods."""
    def chain(cls):
        _journal.setattr(cls, "SetProof", _set_proof)
        _journal.wrap(cls, "Process", _chain_process)

    def tree(cls):
        _journal.wrap(cls, "Process", _tree_process)

    def selector(cls):
        _journal.wrap(cls, "GetSelector", _get_selector)

    def proof(cls):
        _journal.wrap(cls, "Connect", _connect)
        _journal.wrap(cls, "Disconnect", _disconnect)

    def inputs_and_process(cls):
        _journal.wrap(cls, "AddInput", _keep_alive)
        _journal.wrap(cls, "Process", _passing_selectors)

    patches = [(name, lambda cls, name=name: _materialize_class_enums(ROOT, cls, name)) for name in ENUM_CLASSES]
    return patches + [("TChain", chain), ("TTree", tree), ("TSelector", selector), ("TProof", proof),
                      ("TProof", inputs_and_process), ("TDSet", inputs_and_process)]


def _when_bound(ROOT, patches: list[tuple[str, object]]) -> None:
    """Apply each (class name, patch) when cppyy binds that class (a pythonization), or now for
    a class bound already (no pythonization comes for it). Every enum constant a class declares
    then reads PROOF's value, and the wrapped methods are in place before any use of the class."""
    import cppyy  # noqa: PLC0415 - comes with ROOT, imported by it already

    pending: dict[str, list] = {}
    bound = vars(cppyy.gbl)
    for name, patch in patches:
        pending.setdefault(name, []).append(patch)

    def pythonize(cls, name):
        for patch in pending.pop(name, ()):
            patch(cls)

    _journal.call("the PROOF classes' patches, as cppyy binds each (a pythonization)",
                  lambda: cppyy.py.add_pythonization(pythonize),
                  lambda: cppyy.py.remove_pythonization(pythonize))
    for name in list(pending):
        if name in bound:
            pythonize(bound[name], name)


def _materialize_class_enums(ROOT, cls, cls_name: str) -> None:
    for enum in ROOT.TClass.GetClass(cls_name).GetListOfEnums():
        enum_type = getattr(cls, str(enum.GetName()), None) if str(enum.GetName()) else None
        for const in enum.GetConstants():
            name, value = str(const.GetName()), int(const.GetValue())
            seen = getattr(cls, name, None)
            if seen is not None and int(seen) == value and name in cls.__dict__:
                continue
            typed = getattr(enum_type, name, None) if enum_type is not None else None
            typed = typed if typed is not None and int(typed) == value else value
            # cppyy keeps a base class's constants as read-only descriptors of its metaclass,
            # which the derived class's metaclass inherits: shadow them there first.
            _journal.setattr(type(cls), name, typed)
            _journal.setattr(cls, name, typed)


def _list_of_proofs(self):
    return runtime.import_root().ProofShim.ListOfProofs()


def _root_proof(self, url=""):
    """gROOT.Proof(url=""): PROOF's original way to start a session (TROOT::Proof, gone from ROOT
    6.40). Opens the session as TProof.Open(url) does and returns it; TChains then process on it
    without SetProof() (chain.SetProof(False) keeps one local), as in PROOF's original design."""
    return runtime.import_root().ProofShim.RootProof(str(url or ""))


def _close_all() -> None:
    for sess in session.all_sessions():
        try:
            sess.proof.Close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def at_exit() -> None:
    """At interpreter exit, before ROOT's own clean-up (global destructors, interpreter shutdown):
    close every session, which stops its cluster and dask client. If a session was ever opened,
    crash signals then get their default action back: ROOT's crash handler prints its stack trace
    through malloc, and after a heap corruption (a selector's or macro's global destructor freeing
    twice), in a process that has run threads (dask's), glibc's malloc lock may already be held
    and the process hangs for good. With the default action it dies at once, with the signal's
    status. (ProofShim::ExitGuard does the same when a macro calls gSystem->Exit() itself.)"""
    opened = session.ever_opened()
    _close_all()
    if opened:
        runtime.import_root().ProofShim.ExitGuardDefaultCrashSignals()


def _run_at_exit_first() -> None:
    """(Re-)register at_exit so that it runs before the atexit handlers of modules imported
    since install (distributed's own, imported with the first session)."""
    atexit.unregister(at_exit)
    atexit.register(at_exit)


def install() -> None:
    """Install the shim (idempotent)."""
    global _installed
    if _installed:
        return
    ROOT = runtime.load_library()
    hooks = ROOT.ProofShim
    _journal.call("hooks into Python (ProofShim::SetPythonHooks)", lambda: _set_hooks(hooks),
                  hooks.ClearPythonHooks)
    _journal.call("TVirtualTreePlayer::SetPlayer",
                  lambda: ROOT.TVirtualTreePlayer.SetPlayer("TProofShimTreePlayer"),
                  lambda: ROOT.TVirtualTreePlayer.SetPlayer("TTreePlayer"))
    # Methods ROOT has are wrapped (wrapt); the ones ROOT 6.40 lacks are added. The journal
    # restores each class's own dictionary entry on uninstall().
    _journal.setattr(ROOT.TROOT, "GetListOfProofs", _list_of_proofs)
    _journal.setattr(ROOT.TROOT, "Proof", _root_proof)
    path_before = os.environ.get("PATH")
    _journal.call("PATH: root.exe of the tutorials' view (rootsys.expose_tutorials)", lambda: None,
                  lambda: _restore_env("PATH", path_before))
    _journal.wrap(ROOT.TROOT, "Macro", _rewriting(macros.prepare, line=False))
    _journal.wrap(ROOT.TROOT, "ProcessLine", _rewriting(macros.prepare_line, line=True))
    # The classes' own patches when cppyy binds each (most scripts never touch TDSet; binding
    # TChain, TProof and TDSet with their enums up front was about a fifth of the import).
    _when_bound(ROOT, _class_patches(ROOT))
    # pyroot's TPySelector: `from ROOT import TPySelector` (ROOT's namespace is cppyy's global one).
    # Made on first lookup: a property of the global namespace's own metaclass (cppyy makes one per
    # scope), as deriving the first Python class from a C++ one costs cppyy about a second.
    import cppyy  # noqa: PLC0415 - comes with ROOT, imported by it above
    _journal.setattr(type(cppyy.gbl), "TPySelector", property(lambda _gbl: pyselector.tpyselector_class()))
    _journal.call("atexit close sessions", _run_at_exit_first, lambda: atexit.unregister(at_exit))
    _journal.call("exit guard in gROOT's sockets", hooks.ExitGuardInstall, hooks.ExitGuardUninstall)
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
