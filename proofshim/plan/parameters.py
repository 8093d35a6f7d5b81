"""PROOF's own input-list parameters: which of them proofshim honours, and what it says about the rest.

Selectors read input objects of their own under names PROOF never owned, some of them beginning
with "PROOF_" too (ROOT's tutorials' PROOF_OUTPUTFILE, PROOF_USE_NTP_RNDM, PROOF_NTUPLE_DONT_PLOT):
those reach the selectors and proofshim says nothing about them. Only the names PROOF's own code
read from the input list (listed below from ROOT's sources) can be "accepted without effect", and
only when proofshim does not carry out what they asked for. Pure Python (no ROOT).

>>> unhonoured("PROOF_OUTPUTFILE", "/tmp/out.root") is None     # the selector's own
True
>>> unhonoured("PROOF_UseParallelUnzip", 0) is None             # PROOF's default: what proofshim does
True
>>> unhonoured("PROOF_MaxSlavesPerNode", 4).startswith("packets are cut")
True
>>> message("PROOF_UseMergers").split(":")[0]
'PROOF_UseMergers is accepted but has no effect with proofshim'
"""
from __future__ import annotations

from collections.abc import Callable

_PACKETS = ("packets are cut by proofshim's adaptive packetizer (PROOF_PacketAsAFraction, "
            "PROOF_MinPacketTime and PROOF_MaxPacketTime tune it) and dask places them on the workers")
_PROGRESS = "progress is reported by proofshim about every 500 ms from the packets finished so far"
_MERGING = "the workers' outputs are merged on the client, as they arrive (there are no sub-mergers)"
_OUTPUTS = ("outputs stay in the workers' memory until SlaveTerminate and are merged on the client; "
            "write them to a file with TProofOutputFile")
_READING = "the workers read with ROOT's tree cache (PROOF_UseTreeCache and PROOF_CacheSize tune it)"
_MONITORING = ("no monitoring service is connected; PROOF_StatsHist and PROOF_StatsTrace give the "
               "performance histograms and tree in the output list")
_DRAW = "Draw queries on the workers run ROOT's TSelectorDraw without it"

# Every name PROOF's code looked up in the input list, with what it did (ROOT's
# proof/proofplayer/src/TProofPlayer.cxx, TVirtualPacketizer.cxx, TPacketizerAdaptive.cxx,
# TPacketizer.cxx, TPacketizerUnit.cxx, TPacketizerFile.cxx, TPerfStats.cxx, TEventIter.cxx,
# proof/proof/src/TProof.cxx, TProofLite.cxx, TProofServ.cxx). The value: why proofshim does not
# act on it, or None when it does.
PROOF_PARAMETERS: dict[str, str | None] = {
    # honoured
    "PROOF_UseTreeCache": None, "PROOF_CacheSize": None, "PROOF_PacketAsAFraction": None,
    "PROOF_MinPacketTime": None, "PROOF_MaxPacketTime": None, "PROOF_FeedbackPeriod": None,
    "PROOF_StatsHist": None, "PROOF_StatsTrace": None, "PROOF_SlaveStatsTrace": None,
    "PROOF_FilesToProcess": None, "PROOF_ProcessNotAssigned": None,
    # set by PROOF (and by proofshim) for the workers
    "PROOF_Ordinal": None, "PROOF_QueryTag": None, "PROOF_QuerySeqNum": None,
    "PROOF_CurrentElement": None, "PROOF_InputDataFile": None, "PROOF_InputObjsFromFile": None,
    # which packetizer (TPacketizerFile is honoured for cycle-driven queries: see packetizer_note)
    "PROOF_Packetizer": "proofshim's packetizer is always adaptive (PROOF's TPacketizerAdaptive, and "
                        "TPacketizerUnit's rule for cycle-driven queries); TPacketizerFile is supported "
                        "for cycle-driven queries",
    # packetizer tuning
    **{name: _PACKETS for name in (
        "PROOF_PacketizerStrategy", "PROOF_MaxSlavesPerNode", "PROOF_ForceLocal", "PROOF_TryReassign",
        "PROOF_BaseLocalPreference", "PROOF_PacketizerPartitions", "PROOF_ValidateByFile",
        "PROOF_PacketSize", "PROOF_PacketizerFixedNum", "PROOF_PacketizerCalibFrac",
        "PROOF_PacketizerTimeLimit", "PROOF_PacketizerCachePacketSync",
        "PROOF_PacketizerMaxEntriesRatio", "PROOF_TPacketizerUnitCircularity",
        "PROOF_TPacketizerFileCircularity", "PROOF_LookupOpt", "PROOF_DynamicStartup")},
    "PROOF_IncludeFileInfoInPacket": "TPacketizerFile's packets carry the file name only (no TFileInfo)",
    # progress
    **{name: _PROGRESS for name in ("PROOF_RateEstimation", "PROOF_ProgressPeriod",
                                    "PROOF_ProgressCircularity", "PROOF_StartProgressTimer",
                                    "PROOF_SaveProgressPerf")},
    # merging and outputs
    **{name: _MERGING for name in ("PROOF_UseMergers", "PROOF_MergersByHost", "PROOF_MergeTH1OneByOne")},
    **{name: _OUTPUTS for name in ("PROOF_SavePartialResults", "PROOF_DefaultOutputOption",
                                   "PROOF_MemLogFreq")},
    # reading
    **{name: _READING for name in ("PROOF_UseParallelUnzip", "PROOF_DontCacheFiles")},
    # monitoring
    **{name: _MONITORING for name in ("PROOF_MonitorPerPacket", "PROOF_RateTrace")},
    # Draw (TProofPlayerRemote::DrawSelect, TProofDraw)
    **{name: _DRAW for name in ("PROOF_ChainWeight", "PROOF_ListOfAliases", "PROOF_OPTIONS")},
    "PROOF_LineColor": None, "PROOF_LineStyle": None, "PROOF_LineWidth": None,
    "PROOF_MarkerColor": None, "PROOF_MarkerStyle": None, "PROOF_MarkerSize": None,
    "PROOF_FillColor": None, "PROOF_FillStyle": None,
}

# Values with which a parameter asks for what proofshim does anyway.
_SAME_AS_PROOFSHIM: dict[str, Callable[[object], bool]] = {
    "PROOF_UseParallelUnzip": lambda v: _number(v) == 0,
    "PROOF_DontCacheFiles": lambda v: _number(v) == 0,
    "PROOF_ForceLocal": lambda v: _number(v) == 0,
    "PROOF_Packetizer": lambda v: str(v) in ("TPacketizerAdaptive", "TPacketizerFile"),
}

TPACKETIZER_FILE = "TPacketizerFile"


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def is_proof_parameter(name: str) -> bool:
    """Whether PROOF's own code read `name` from the input list."""
    return name in PROOF_PARAMETERS


def unhonoured(name: str, value) -> str | None:
    """Why the PROOF parameter `name` set to `value` changes nothing here, or None when proofshim
    carries it out (or the name is not PROOF's, so the selector reads it)."""
    why = PROOF_PARAMETERS.get(name)
    if why is None:
        return None
    same = _SAME_AS_PROOFSHIM.get(name)
    if same is not None and same(value):
        return None
    return why


def message(name: str) -> str:
    """The Info line's text for a PROOF parameter accepted without effect (logged where the call
    that put it in the input list is named: <TProof::SetParameter> or <TProof::AddInput>)."""
    return f"{name} is accepted but has no effect with proofshim: {PROOF_PARAMETERS[name]}"
