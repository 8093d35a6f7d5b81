"""The registry of the PROOF methods whose C++ side (proofshim/cxx/*.cxx) hands the call to Python:
one row each, with the name the C++ hook sends, the status docs/API.md shows and either the handler
(supported) or the reason the user reads (no effect, refused).

The C++ side reaches Python three ways, one row kind each:

- `ProofShim::CallHook(this, "Name", sarg, iarg)`: a `call` row, handler(session, sarg, iarg)
  returning PROOF's integer result (None: 0);
- `ProofShim::ObjectHook(this, "Name", sarg, obj)`: an `object_call` row, handler(session, sarg,
  obj) returning the object (None: nullptr);
- `ProofShim::Note(this, "NoEffect" or "Refused", "TProof::Name")`: a `no_effect` or `refused` row;
  the method does nothing else, the line it logs is written here (`message`).

Handlers get the session behind the TProof, or None for a row with `needs_session=False`.
tests/test_methods.py checks that the C++ sources send exactly the names declared here (and the
Note kind matching each row's status); tests/test_api_coverage.py checks docs/API.md against it.
"""
from __future__ import annotations

import functools
import logging
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass

from . import packages, perfstats, session
from ..plan import named_datasets, selector
from ..worker import querylogs
from ..util import runtime
from ..util.errors import ProofShimError

log = logging.getLogger("proofshim")

SUPPORTED, NO_EFFECT, REFUSED = "supported", "no effect", "refused"
# How the C++ side reaches Python (the C++ function's name).
CALL, OBJECT, NOTE = "CallHook", "ObjectHook", "Note"
# ProofShim::Note(p, kind, where) sends CallHook(p, kind, where): these kinds are not method names.
NOTE_KINDS = {"NoEffect": NO_EFFECT, "Refused": REFUSED}


@dataclass(frozen=True)
class Method:
    """One row: `name` as the hook sends it ("SetParallel"; "TProof::Touch" for a Note)."""

    name: str
    hook: str
    status: str
    handler: Callable | None = None
    reason: str = ""
    needs_session: bool = True

    def message(self) -> str:
        """The text of the line a no-effect or refused method logs.

        >>> find(NOTE, "TProof::Touch").message()
        'Touch() has no effect with proofshim: sessions do not expire while the TProof object is open'
        >>> find(NOTE, "TProof::LogViewer").message().split(":")[0]
        'LogViewer() is not supported by proofshim'
        """
        short = self.name.rpartition("::")[2]
        if self.status == NO_EFFECT:
            return f"{short}() has no effect with proofshim: {self.reason}"
        if self.status == REFUSED:
            return f"{short}() is not supported by proofshim: {self.reason}"
        raise ValueError(f"{self.name} is supported: it logs no line of its own")

    def note(self) -> int:
        """Log the line of a no-effect method (Info) or a refused one (Error); the hook's result."""
        if self.status == NO_EFFECT:
            log.info("%s", self.message(), extra={"where": self.name})
            return 0
        log.error("%s", self.message(), extra={"where": self.name})
        return -1


def call(name: str, handler: Callable, *, needs_session: bool = True) -> Method:
    """A supported method reached through ProofShim::CallHook."""
    return Method(name, CALL, SUPPORTED, handler=handler, needs_session=needs_session)


def object_call(name: str, handler: Callable, *, needs_session: bool = True) -> Method:
    """A supported method reached through ProofShim::ObjectHook."""
    return Method(name, OBJECT, SUPPORTED, handler=handler, needs_session=needs_session)


def no_effect(where: str, why: str) -> Method:
    """A method accepted without effect: logs "Info in <where>: M() has no effect with proofshim: why"."""
    return Method(where, NOTE, NO_EFFECT, reason=why)


def refused(where: str, why: str) -> Method:
    """A refused method: logs "Error in <where>: M() is not supported by proofshim: why" and returns
    PROOF's failure value (the C++ side returns it)."""
    return Method(where, NOTE, REFUSED, reason=why)


def find(hook: str, name: str) -> Method:
    """The row of `name` as `hook` sends it.

    >>> find(CALL, "SetParallel").status
    'supported'
    >>> find(CALL, "Teleport")
    Traceback (most recent call last):
    ...
    proofshim.util.errors.ProofShimError: Teleport is not supported by proofshim
    """
    try:
        return METHODS[(hook, name)]
    except KeyError:
        raise ProofShimError(f"{name} is not supported by proofshim") from None


def rows(hook: str | None = None, status: str | None = None) -> list[Method]:
    """Every row, or those of one hook and/or status.

    >>> sorted(m.name for m in rows(status=REFUSED))[:2]
    ['TProof::ActivateWorker', 'TProof::Archive']
    """
    return [m for m in METHODS.values() if hook in (None, m.hook) and status in (None, m.status)]


def _index(methods: list[Method]) -> dict[tuple[str, str], Method]:
    table: dict[tuple[str, str], Method] = {}
    for m in methods:
        if (m.hook, m.name) in table:
            raise ValueError(f"{m.hook} {m.name!r} is declared twice")
        table[(m.hook, m.name)] = m
    return table


# ---- the handlers of the supported methods that need more than one line

def _close(sess, _s, _i):
    if sess:
        sess.close()


def _send_asyn_message(_sess, text, _i):
    log.info("%s", text, extra={"where": "TProofServ"})


def _echo_object(sess, _s, _i):
    obj = runtime.downcast(sess.proof.GetHookObject())
    return session.CompatCalls.echo(sess, "", pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _show_cache(sess, _s, all_hosts):
    """TProof::ShowCache: the client's selector cache, and each worker host's with all=kTRUE."""
    print(selector.show_cache())
    if all_hosts:
        seen = set()
        for i, (_addr, text) in enumerate(sorted(sess.executor.on_every_worker(selector.show_cache).items())):
            if text not in seen:   # workers of one host share the cache
                seen.add(text)
                for line in text.splitlines():
                    print(f"[0.{i}] {line}")


def _clear_cache(sess, pattern, _i):
    """TProof::ClearCache: remove matching builds here and on every worker host."""
    n = selector.clear_cache(pattern)
    n += sum(sess.executor.on_every_worker(selector.clear_cache, pattern).values())
    log.info("%d compiled selector/helper build(s) removed from the cache%s", n,
             f" (matching '{pattern}')" if pattern else "", extra={"where": "TProof::ClearCache"})


def _find_datasets(sess, pattern, _i):
    for name in named_datasets.names(pattern):
        sess.proof.AddFoundName(name)


def _paths(method, sess, paths, on_client):
    return session.CompatCalls.paths(sess, method, paths, bool(on_client))


def _detach(_sess, _s, _i):
    log.info("the session is closed: proofshim sessions cannot be reattached later",
             extra={"where": "TProof::Detach"})


def _register_dataset(sess, arg, obj):
    name, _, options = arg.partition("\n")
    fc = runtime.downcast(obj)
    if not fc or not fc.InheritsFrom("TFileCollection"):
        raise ProofShimError(f"RegisterDataSet('{name}'): a TFileCollection is needed")
    named_datasets.register(name, fc, options, sess.executor if sess else None)
    return fc


def _worker_value(fn):
    """Getenv/GetRC: the worker's value as a TObjString the C++ caller deletes; None if unset."""
    def get(sess, arg, _obj):
        value = fn(sess, arg)
        if value is None:
            return None
        ROOT = runtime.import_root()
        obj = ROOT.TObjString(value)
        ROOT.SetOwnership(obj, False)
        return obj
    return get


def _new_macro(name: str, title: str, lines: list[str]):
    ROOT = runtime.import_root()
    macro = ROOT.TMacro()
    macro.SetNameTitle(name, title)
    ROOT.ProofShim.AddLines(macro, "".join(f"{ln}\n" for ln in lines))
    ROOT.SetOwnership(macro, False)
    return macro


def _last_log(sess, _s, _obj):
    # PROOF's caller owns (and deletes) the macro; nullptr when nothing was logged.
    lines = sess.logs.render(sess.logs.unread())
    if not lines:
        return None
    return _new_macro("ProofLastLog", f"log of {sess.proof.GetSessionTag()}", lines)


def _log_lines(sess, arg, obj):
    start, end = (int(x) for x in arg.split())
    macro = runtime.downcast(obj)
    text = "".join(f"{ln}\n" for ln in sess.logs.fetch(start, end))
    runtime.import_root().ProofShim.AddLines(macro, text)
    return macro


def _session_logs(sess, _s, _obj):
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
    for ordinal in sorted(per_worker, key=querylogs.ordinal_key):
        plog.AddElem(ordinal, paths[ordinal], "".join(f"{ln}\n" for ln in per_worker[ordinal]))
    ROOT.SetOwnership(plog, False)
    return plog


_DRAW_FEEDBACK = "there is no draw feedback (TDrawFeedback is not in ROOT 6.40)"
_NO_STAGING = "there is no staging service: files are read where they are"
_USE_SET_PARALLEL = "dask decides where packets run; use SetParallel(n) to use fewer workers"

METHODS = _index([
    # -- supported, through ProofShim::CallHook: handler(session, string argument, integer argument)
    call("Reset", lambda _sess, _s, _i: 0, needs_session=False),   # TProof::Reset (static): nothing to reset
    call("Close", _close, needs_session=False),
    call("SendAsynMessage", _send_asyn_message, needs_session=False),   # TProofServ::SendAsynMessage
    call("Print", lambda sess, s, _i: sess.print_info(s)),
    call("SetParallel", lambda sess, _s, i: sess.set_parallel(i)),
    call("SetParallelRandom", lambda sess, _s, i: sess.set_parallel(i)),
    call("SetLogLevel", lambda sess, _s, i: sess.set_log_level(i)),
    call("SlaveInfos", lambda sess, _s, _i: sess.fill_slave_infos()),
    call("ExistsDataSet", lambda _sess, s, _i: 1 if named_datasets.exists(s) else 0),
    call("ShowDataSets", lambda _sess, s, _i: named_datasets.show(s)),
    call("RemoveDataSet", lambda _sess, s, _i: named_datasets.remove(s)),
    call("Load", lambda sess, s, i: sess.load_code(s, not_on_client=bool(i))),
    call("UploadPackage", lambda sess, s, i: packages.upload(sess, s, i)),
    call("EnablePackage", lambda sess, s, i: packages.enable(
        sess, s, not_on_client=bool(i), options=runtime.downcast(sess.proof.GetPackageLoadOpts()))),
    call("ClearPackage", lambda sess, s, _i: packages.clear(sess, s)),
    call("ClearPackages", lambda sess, _s, _i: packages.clear(sess, None)),
    call("ShowPackages", lambda sess, _s, i: packages.show(sess, bool(i))),
    call("ShowEnabledPackages", lambda sess, _s, i: packages.show_enabled(sess, bool(i))),
    call("ListPackages", lambda sess, _s, i: packages.fill_names(sess, enabled=bool(i))),
    call("DownloadPackage", lambda sess, s, _i: packages.download(sess, s)),
    call("Exec", lambda sess, s, _i: sess.exec_everywhere(s)),
    call("StopProcess", lambda sess, _s, i: sess.executor.request_stop(bool(i))),
    call("ShowLog", lambda sess, _s, i: sess.show_log(i, to_window=bool(sess.proof.SendingLogToWindow()))),
    call("ShowLogRef", lambda sess, s, _i: sess.show_log(ref=s, to_window=bool(sess.proof.SendingLogToWindow()))),
    call("Ping", session.CompatCalls.ping),
    call("SetPerfTree", lambda sess, s, i: perfstats.set_perf_tree(sess, s, bool(i))),
    call("SavePerfTree", lambda sess, s, _i: perfstats.save_perf_tree(runtime.import_root(), sess, *s.split("\n", 1))),
    call("Echo", lambda sess, s, _i: session.CompatCalls.echo(sess, s)),
    call("EchoObject", _echo_object),
    call("AsyncMode", lambda sess, _s, _i: session.CompatCalls.async_mode(sess)),
    call("LoadedMacros", lambda sess, _s, _i: session.CompatCalls.loaded_macros(sess)),
    call("ShowData", lambda sess, _s, _i: session.CompatCalls.show_data(sess)),
    call("ClearData", lambda sess, s, i: session.CompatCalls.clear_data(sess, int(i), s)),
    call("Detach", _detach),
    call("NumberOfDrawQueries", lambda sess, _s, _i: sess.draw_queries),
    call("ShowCache", _show_cache),
    call("ClearCache", _clear_cache),
    call("FindDataSets", _find_datasets),
    call("ShowDataSet", lambda _sess, s, _i: named_datasets.show_one(*s.split("\n", 1))),
    call("VerifyDataSet", lambda sess, s, _i: named_datasets.verify_registered(s, sess.executor)),
    call("SetDataSetTreeName", lambda _sess, s, _i: named_datasets.set_tree_name(*s.split("\n", 1))),
    *(call(m, functools.partial(_paths, m))
      for m in ("AddIncludePath", "AddDynamicPath", "RemoveIncludePath", "RemoveDynamicPath")),

    # -- supported, through ProofShim::ObjectHook: handler(session, string argument, object)
    object_call("RegisterDataSet", _register_dataset, needs_session=False),
    object_call("GetDataSet", lambda _sess, s, _obj: named_datasets.get(s), needs_session=False),
    object_call("Getenv", _worker_value(session.CompatCalls.getenv)),
    object_call("GetRC", _worker_value(session.CompatCalls.get_rc)),
    object_call("GetLastLog", _last_log),
    object_call("GetLog", _log_lines),
    object_call("GetSessionLogs", _session_logs),   # TProofMgr::GetSessionLogs, with the manager's session

    # -- accepted without effect (ProofShim::Note(this, "NoEffect", ...)): why the call changes nothing
    no_effect("TProof::Touch", "sessions do not expire while the TProof object is open"),
    no_effect("TProof::DisableGoAsyn", "queries always run synchronously (Ctrl-C stops them)"),
    no_effect("TProof::GoAsynchronous", "queries always run synchronously (Ctrl-C stops them)"),
    no_effect("TProof::CleanupSession", "query results live in the client's memory; the session's worker "
                                        "directories are removed when the cache is cleaned"),
    no_effect("TProof::GetDataSetQuota", "the local data set store has no quotas (returns 0)"),
    no_effect("TProof::ShowDataSetQuota", "the local data set store has no quotas"),
    no_effect("TProof::ShowDataSetCache", "data set contents are not cached: they are read from the store"),
    no_effect("TProof::ClearDataSetCache", "data set contents are not cached: they are read from the store"),
    no_effect("TProof::SetRealTimeLog", "proofshim's messages from the workers reach the client's log as they happen"),
    no_effect("TProof::GetMaxQueries", "every query of the session is kept until Remove()"),
    no_effect("TProof::SetMaxDrawQueries", "every query of the session is kept until Remove()"),
    no_effect("TProof::ResetProgressDialogStatus", "there is no progress dialog; progress goes to stderr and "
                                                   "the Progress signals"),
    no_effect("TProof::SetDrawFeedbackOption", _DRAW_FEEDBACK),
    no_effect("TProof::DeleteDrawFeedback", _DRAW_FEEDBACK),
    no_effect("TProof::CreateDrawFeedback", f"{_DRAW_FEEDBACK}; returns 0: use AddFeedback(name) and the "
                                            "Feedback(TList*) signal"),
    no_effect("TProof::SetPrintProgress", "the progress line is drawn by proofshim; connect to the "
                                          "Progress(...) signal to follow a query"),
    no_effect("TProof::SetProgressDialog", "there is no progress dialog; progress goes to stderr "
                                           "(PROOFSHIM_PROGRESS) and the Progress signals"),

    # -- refused (ProofShim::Note(this, "Refused", ...)): why, and what to do instead
    refused("TProof::Archive", "query results are not kept on a master; write the query's output list "
                               "to a file yourself (TFile f(url, \"RECREATE\"); proof->GetOutputList()->Write())"),
    refused("TProof::UploadDataSet", "PROOF 6 had removed it too; build a TFileCollection and use "
                                     "RegisterDataSet(name, fc)"),
    refused("TProof::UploadDataSetFromFile", "PROOF 6 had removed it too; build a TFileCollection "
                                             "(TFileCollection::AddFromFile) and use RegisterDataSet(name, fc)"),
    refused("TProof::RequestStagingDataSet", _NO_STAGING),
    refused("TProof::GetStagingStatusDataSet", f"{_NO_STAGING}; VerifyDataSet(name) checks that they can be opened"),
    refused("TProof::ShowStagingStatusDataSet", f"{_NO_STAGING}; VerifyDataSet(name) checks that they can be opened"),
    refused("TProof::CancelStagingDataSet", _NO_STAGING),
    refused("TProof::ActivateWorker", _USE_SET_PARALLEL),
    refused("TProof::DeactivateWorker", _USE_SET_PARALLEL),
    refused("TProof::LogViewer", "there is no log viewer GUI; proofshim logs to stderr (SetLogLevel(n) for more)"),
])
