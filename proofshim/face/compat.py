"""What proofshim says about the parts of PROOF's API it does not carry out: the methods accepted
without effect and the methods refused, each with the reason the user reads in the log.

Pure Python (no ROOT): the C++ classes only name the method (ProofShim::CallHook(..., "NoEffect",
"TProof::X")), so every message lives here, once, and docs/API.md is checked against it by
tests/test_api_coverage.py.
"""
from __future__ import annotations

import logging

log = logging.getLogger("proofshim")

# "Class::Method" -> why the call changes nothing. Logged as
# "Info in <Class::Method>: Method() has no effect with proofshim: <why>".
NO_EFFECT: dict[str, str] = {
    "TProof::Touch": "sessions do not expire while the TProof object is open",
    "TProof::DisableGoAsyn": "queries always run synchronously (Ctrl-C stops them)",
    "TProof::GoAsynchronous": "queries always run synchronously (Ctrl-C stops them)",
    "TProof::CleanupSession": "query results live in the client's memory; the session's worker "
                              "directories are removed when the cache is cleaned",
    "TProof::GetDataSetQuota": "the local data set store has no quotas (returns 0)",
    "TProof::ShowDataSetQuota": "the local data set store has no quotas",
    "TProof::ShowDataSetCache": "data set contents are not cached: they are read from the store",
    "TProof::ClearDataSetCache": "data set contents are not cached: they are read from the store",
    "TProof::SetRealTimeLog": "proofshim's messages from the workers reach the client's log as they happen",
    "TProof::GetMaxQueries": "every query of the session is kept until Remove()",
    "TProof::SetMaxDrawQueries": "every query of the session is kept until Remove()",
    "TProof::ResetProgressDialogStatus": "there is no progress dialog; progress goes to stderr and "
                                         "the Progress signals",
    "TProof::SetDrawFeedbackOption": "there is no draw feedback (TDrawFeedback is not in ROOT 6.40)",
    "TProof::DeleteDrawFeedback": "there is no draw feedback (TDrawFeedback is not in ROOT 6.40)",
    "TProof::CreateDrawFeedback": "there is no draw feedback (TDrawFeedback is not in ROOT 6.40); "
                                  "returns 0: use AddFeedback(name) and the Feedback(TList*) signal",
    "TProof::SetPrintProgress": "the progress line is drawn by proofshim; connect to the "
                                "Progress(...) signal to follow a query",
    "TProof::SetProgressDialog": "there is no progress dialog; progress goes to stderr "
                                 "(PROOFSHIM_PROGRESS) and the Progress signals",
}

# "Class::Method" -> why it is refused and what to do instead. Logged as
# "Error in <Class::Method>: Method() is not supported by proofshim: <why>"; the method returns
# PROOF's failure value.
REFUSED: dict[str, str] = {
    "TProof::Archive": "query results are not kept on a master; write the query's output list "
                       "to a file yourself (TFile f(url, \"RECREATE\"); proof->GetOutputList()->Write())",
    "TProof::UploadDataSet": "PROOF 6 had removed it too; build a TFileCollection and use "
                             "RegisterDataSet(name, fc)",
    "TProof::UploadDataSetFromFile": "PROOF 6 had removed it too; build a TFileCollection "
                                     "(TFileCollection::AddFromFile) and use RegisterDataSet(name, fc)",
    "TProof::RequestStagingDataSet": "there is no staging service: files are read where they are",
    "TProof::GetStagingStatusDataSet": "there is no staging service: files are read where they are; "
                                       "VerifyDataSet(name) checks that they can be opened",
    "TProof::ShowStagingStatusDataSet": "there is no staging service: files are read where they are; "
                                        "VerifyDataSet(name) checks that they can be opened",
    "TProof::CancelStagingDataSet": "there is no staging service: files are read where they are",
    "TProof::ActivateWorker": "dask decides where packets run; use SetParallel(n) to use fewer workers",
    "TProof::DeactivateWorker": "dask decides where packets run; use SetParallel(n) to use fewer workers",
    "TProof::LogViewer": "there is no log viewer GUI; proofshim logs to stderr (SetLogLevel(n) for more)",
}


def _method(where: str) -> str:
    return where.rpartition("::")[2]


def no_effect_message(where: str) -> str:
    """The Info line's text for a method accepted without effect.

    >>> no_effect_message("TProof::Touch")
    'Touch() has no effect with proofshim: sessions do not expire while the TProof object is open'
    """
    return f"{_method(where)}() has no effect with proofshim: {NO_EFFECT[where]}"


def refused_message(where: str) -> str:
    """The Error line's text for a refused method.

    >>> refused_message("TProof::LogViewer").split(":")[0]
    'LogViewer() is not supported by proofshim'
    """
    return f"{_method(where)}() is not supported by proofshim: {REFUSED[where]}"


def note(kind: str, where: str) -> None:
    """Log the line of a method accepted without effect (kind "NoEffect") or refused ("Refused")."""
    if kind == "NoEffect":
        log.info("%s", no_effect_message(where), extra={"where": where})
    else:
        log.error("%s", refused_message(where), extra={"where": where})
