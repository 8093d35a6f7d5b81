"""PROOF's TPacketizerFile for cycle-driven queries: PROOF_Packetizer = "TPacketizerFile" with
PROOF_FilesToProcess, a TMap from host names to lists of file names (TObjString or TFileInfo; a
TFileCollection's list too).

As in PROOF, each file is one packet of one cycle: the selector's Process(0) runs once per file with
PROOF_CurrentElement naming it (a TDSetElement of the file, first 0, one entry, kEmpty), whatever
number of cycles Process(selector, n) asked for. The files listed for a host go to the workers on
that host, in the list's order; files of hosts without workers go to any worker once its own are
handed out, unless PROOF_ProcessNotAssigned is 0 (then they are not processed). ROOT's tutorials
generate their files this way (ProofAux, runProof("friends")).
"""
from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable

from ..util.errors import DatasetError

log = logging.getLogger("proofshim")

PACKETIZER = "TPacketizerFile"
FILES = "PROOF_FilesToProcess"
NOT_ASSIGNED = "PROOF_ProcessNotAssigned"


@dataclasses.dataclass(frozen=True)
class FileToProcess:
    """One file of the map: its name as the selector gets it, and the host whose workers take it
    (None: any worker)."""

    name: str
    host: str | None


def requested(session) -> bool:
    """Whether the session's input list asks for TPacketizerFile."""
    return str(session.parameter("PROOF_Packetizer", "")) == PACKETIZER


def assign(listed: Iterable[tuple[str, str]], worker_hosts: set[str], canonical: Callable[[str], str],
           process_not_assigned: bool = True) -> list[FileToProcess]:
    """The files to process, from (host as the map names it, file name) pairs in the map's order:
    a file stays bound to its host if a worker runs there, else any worker takes it (or nobody).

    >>> pairs = [("nodeA", "a1.root"), ("nodeA", "a2.root"), ("gone", "g.root")]
    >>> [(f.name, f.host) for f in assign(pairs, {"nodeA"}, str)]
    [('a1.root', 'nodeA'), ('a2.root', 'nodeA'), ('g.root', None)]
    >>> [f.name for f in assign(pairs, {"nodeA"}, str, process_not_assigned=False)]
    ['a1.root', 'a2.root']
    """
    bound, free = [], []
    for host_name, file_name in listed:
        host = canonical(host_name)
        if host in worker_hosts:
            bound.append(FileToProcess(file_name, host))
        else:
            free.append(FileToProcess(file_name, None))
    if free and not process_not_assigned:
        log.info("%d file(s) of PROOF_FilesToProcess listed for hosts without workers are not processed "
                 "(PROOF_ProcessNotAssigned is 0)", len(free), extra={"where": PACKETIZER})
        free = []
    return bound + free


def files_to_process(ROOT, session, worker_hosts: set[str], canonical: Callable[[str], str]) -> list[FileToProcess]:
    """The files of the session's PROOF_FilesToProcess map, bound to the hosts of `worker_hosts`."""
    fmap = session.proof.GetInputList().FindObject(FILES)
    if not fmap or not fmap.InheritsFrom("TMap"):
        raise DatasetError(f"PROOF_Packetizer is '{PACKETIZER}' but the input list has no TMap named "
                           f"'{FILES}' (host name -> list of file names), as TPacketizerFile needs: "
                           f"add one with AddInput, or DeleteParameters(\"PROOF_Packetizer\")")
    lines, unsupported = ROOT.TString(), ROOT.TString()
    ROOT.ProofShim.FilesToProcess(ROOT.BindObject(ROOT.addressof(fmap), "TMap"), lines, unsupported)
    if str(unsupported):
        log.warning("found unsupported objects in %s: %s(file names must be 'TObjString' or 'TFileInfo', "
                    "in a list or a TFileCollection per host)", FILES, unsupported, extra={"where": PACKETIZER})
    listed = [tuple(line.split("\t", 1)) for line in str(lines).splitlines()]
    process_not_assigned = str(session.parameter(NOT_ASSIGNED, 1)) not in ("0", "0.0")
    files = assign(listed, worker_hosts, canonical, process_not_assigned)
    if not files:
        raise DatasetError(f"{PACKETIZER}: no file path in the map '{FILES}' (or none on a host with "
                           "workers, and PROOF_ProcessNotAssigned is 0)")
    log.info("processing %d file(s), one per cycle", len(files), extra={"where": PACKETIZER})
    return files


def loopback_as_one(host: str) -> str:
    """Every loopback address (127.x.y.z, which a machine's own name may resolve to) as one host.

    >>> loopback_as_one("127.0.1.1"), loopback_as_one("10.1.2.3")
    ('127.0.0.1', '10.1.2.3')
    """
    return "127.0.0.1" if host.startswith("127.") else host
