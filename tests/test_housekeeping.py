"""Session housekeeping legacy drivers use: workers' info, query results, Exec, environment
variables, input data, PROOF_* parameters."""
from __future__ import annotations

from conftest import selector_path

V0 = selector_path("V0Sel.C") + "+"
COUNT_SEL = selector_path("CountSel.C") + "+"


def test_list_of_slave_infos(ROOT, fresh_proof):
    infos = list(fresh_proof.GetListOfSlaveInfos())
    assert [i.GetOrdinal() for i in infos] == ["0.0", "0.1"]
    assert all(i.GetStatus() == ROOT.TSlaveInfo.kActive for i in infos)
    from proofshim.face import session
    assert session.get(fresh_proof).executor.address.startswith("tls://127.0.0.1:"), "the embedded cluster is TLS"
    assert all(str(i.GetName()) == str(ROOT.gSystem.HostName()) for i in infos), "PROOF: the worker's host"


def test_query_results_keep_each_query_and_its_outputs(ROOT, fresh_proof, chain):
    c = chain()
    c.SetProof()
    n_before = fresh_proof.GetQueryResults().GetSize()
    assert c.Process(V0, "", 300) == 0
    first_out = fresh_proof.GetOutput("n_ProcessCut")
    assert c.Process(V0, "", 500, 10) == 0
    results = list(fresh_proof.GetQueryResults())
    assert len(results) == n_before + 2
    q1, q2 = results[-2], results[-1]
    assert q2 == fresh_proof.GetQueryResult()
    assert q1.GetEntries() == 300 and q2.GetEntries() == 500 and q2.GetFirst() == 10
    assert q2.GetSeqNum() == q1.GetSeqNum() + 1 and q2.IsDone()
    assert q2.GetStatus() == ROOT.TQueryResult.kCompleted and q2.GetRealTime() > 0
    assert "V0Sel.C" in q2.GetSelecName()
    # The earlier query's outputs stay alive and reachable through its result.
    assert q1.GetOutputList().FindObject("n_ProcessCut").GetVal() == 300
    assert first_out.GetVal() == 300
    assert fresh_proof.GetQueryResult(q1.GetTitle()) == q1
    assert fresh_proof.GetQueryResult(q1.GetName()) == q1


def test_exec_runs_a_line_on_every_worker_with_env_vars(ROOT, fresh_proof, capfd):
    ROOT.TProof.AddEnvVar("PROOFSHIM_TEST_VAR", "hello-workers")
    try:
        capfd.readouterr()
        assert fresh_proof.Exec('printf("pid=%d var=%s\\n", gSystem->GetPid(), gSystem->Getenv("PROOFSHIM_TEST_VAR"));') == 0
        out = capfd.readouterr().out
        lines = [ln for ln in out.splitlines() if "var=hello-workers" in ln]
        assert len(lines) == 2 and {ln[:5] for ln in lines} == {"[0.0]", "[0.1]"}
        assert len({ln.split()[1] for ln in lines}) == 2, "two different worker processes"
        assert fresh_proof.Exec("this is not C++;") == -1
    finally:
        ROOT.TProof.DelEnvVar("PROOFSHIM_TEST_VAR")


def test_input_data_reaches_the_workers(ROOT, fresh_proof, chain, tmp_path, total_entries):
    set_ll = fresh_proof.SetParameter.__overload__("const char*, Long64_t")
    set_ll("CountSel_NTotal", total_entries)
    obj = ROOT.TParameter["Long64_t"]("CountSel_AbortProcessAt", 5)
    fresh_proof.AddInputData(obj)
    c = chain()
    c.SetProof()
    try:
        assert c.Process(COUNT_SEL, "", 100) == 0
        assert fresh_proof.GetOutput("hgid").GetBinContent(6) == 0, "AddInputData object seen by the selector"
        fresh_proof.ClearInputData()
        path = str(tmp_path / "inputdata.root")
        f = ROOT.TFile(path, "RECREATE")
        ROOT.TParameter["Long64_t"]("CountSel_AbortProcessAt", 7).Write()
        f.Close()
        fresh_proof.SetInputDataFile(path)
        assert c.Process(COUNT_SEL, "", 100) == 0
        h = fresh_proof.GetOutput("hgid")
        assert h.GetBinContent(8) == 0 and h.GetBinContent(6) == 1, "objects of the input data file seen"
    finally:
        fresh_proof.ClearInputData()
    assert c.Process(COUNT_SEL, "", 100) == 0
    assert fresh_proof.GetOutput("hgid").GetBinContent(8) == 1


def _ntuple_values(ntuple) -> list[tuple[float, float]]:
    out = []
    for i in range(int(ntuple.GetEntries())):
        ntuple.GetEntry(i)
        args = ntuple.GetArgs()
        out.append((args[0], args[1]))
    return out


def _seen(proof, n: int) -> dict[int, tuple[float, float]]:
    seen = proof.GetOutput("seen")
    assert seen and seen.GetEntries() == n, "every cycle recorded once"
    rows = {}
    for i in range(n):
        seen.GetEntry(i)
        args = seen.GetArgs()
        rows[int(args[0])] = (args[1], args[2])
    assert sorted(rows) == list(range(n))
    return rows


def test_input_data_trees_reach_the_workers_whole(ROOT, fresh_proof, tmp_path):
    """A TTree given as input data (SetInputDataFile, AddInputData) once reached the workers as a
    header without its baskets: they read garbage (ProofNtuple's "inputrndm" filled its ntuple with
    values like -8.9e+36). Its data travel with it now: every worker reads the client's values."""
    sel = selector_path("InputTreeSel.C") + "+"
    path = str(tmp_path / "rndm.root")
    f = ROOT.TFile(path, "RECREATE")
    tuple_ = ROOT.TNtuple("InTuple", "random numbers", "x:y", 256)   # small baskets: many of them
    rnd = ROOT.TRandom3(7)
    for _ in range(3000):
        tuple_.Fill(rnd.Gaus(), rnd.Rndm())
    tuple_.Write()
    f.Close()
    f = ROOT.TFile(path)
    from_file = f.Get("InTuple")
    assert from_file.GetListOfBranches().At(0).GetWriteBasket() > 10, "the data span many baskets"
    expected = _ntuple_values(from_file)
    memory = ROOT.TNtuple("MemTuple", "in memory", "x:y")
    memory.SetDirectory(ROOT.nullptr)
    for k in range(50):
        memory.Fill(k * 0.5, -k)
    n = 7000     # more cycles than entries: every worker reads entries from all over the ntuple
    try:
        fresh_proof.SetInputDataFile(path)
        assert fresh_proof.Process(sel, n) == 0
        rows = _seen(fresh_proof, n)
        assert all(rows[i] == expected[i % len(expected)] for i in range(n)), "SetInputDataFile"

        fresh_proof.ClearInputData()
        fresh_proof.AddInputData(from_file)          # a tree read from a file on the client
        assert fresh_proof.Process(sel, n) == 0
        rows = _seen(fresh_proof, n)
        assert all(rows[i] == expected[i % len(expected)] for i in range(n)), "AddInputData(file tree)"

        fresh_proof.SetInputDataFile(path)           # both: the file, and an object added to it
        fresh_proof.AddInputData(memory)
        fresh_proof.SetParameter("InputTreeSel_Name", "MemTuple")
        assert fresh_proof.Process(sel, 300) == 0
        rows = _seen(fresh_proof, 300)
        assert all(rows[i] == (i % 50 * 0.5, -(i % 50)) for i in range(300)), "AddInputData(memory tree)"
        assert len(fresh_proof.GetInputData()) == 2, "the client's input data are left as they were"
    finally:
        fresh_proof.ClearInputData()
        f.Close()
    assert fresh_proof.Process(sel, 10) == 0
    assert fresh_proof.GetOutput("seen").GetEntries() == 0, "no input data any more: the selector aborts"


def test_proof_parameters_accepted_and_announced_once(ROOT, fresh_proof, chain, capfd):
    fresh_proof.SetParameter("PROOF_Packetizer", "TPacketizerUnit")
    fresh_proof.SetParameter("PROOF_MaxSlavesPerNode", 8)
    fresh_proof.SetParameter("PROOF_MinPacketTime", 0.5)
    c = chain()
    c.SetProof()
    capfd.readouterr()
    assert c.Process(V0, "", 100) == 0
    err = capfd.readouterr().err
    assert "Info in <TProof::SetParameter>: PROOF_Packetizer is accepted but has no effect" in err
    assert "PROOF_MaxSlavesPerNode is accepted" in err
    assert "PROOF_MinPacketTime is accepted" not in err
    assert c.Process(V0, "", 100) == 0
    assert "PROOF_Packetizer" not in capfd.readouterr().err


def test_only_proofs_own_unhonoured_parameters_are_announced_naming_the_call(ROOT, fresh_proof, chain, capfd):
    """Input objects the selector itself reads (ROOT's tutorials' PROOF_OUTPUTFILE, PROOF_USE_NTP_RNDM)
    were announced as "accepted but has no effect", and every message said SetParameter. Only PROOF's
    own parameters that proofshim does not carry out are announced, under the call that set them."""
    keep = [ROOT.TNamed("PROOF_OUTPUTFILE", "/tmp/ProofNtuple.root"),
            ROOT.TParameter["Int_t"]("PROOF_UseMergers", 0), ROOT.TNamed("MyAnalysis_Cut", "pt>20")]
    for obj in keep:
        fresh_proof.AddInput(obj)
    fresh_proof.SetParameter("PROOF_USE_NTP_RNDM", "yes")
    fresh_proof.SetParameter("PROOF_NTUPLE_DONT_PLOT", "")
    fresh_proof.SetParameter("PROOF_UseParallelUnzip", 0)       # PROOF's default: what proofshim does
    fresh_proof.SetParameter("PROOF_ValidateByFile", 1)
    fresh_proof.SetParameter("PROOF_UseTreeCache", 1)           # honoured
    c = chain()
    c.SetProof()
    capfd.readouterr()
    assert c.Process(COUNT_SEL, "", 100) == 0
    err = capfd.readouterr().err
    announced = [ln for ln in err.splitlines() if "is accepted but has no effect" in ln]
    assert len(announced) == 2, announced
    assert any(ln.startswith("Info in <TProof::AddInput>: PROOF_UseMergers is accepted") for ln in announced)
    assert any(ln.startswith("Info in <TProof::SetParameter>: PROOF_ValidateByFile is accepted")
               for ln in announced)
    for name in ("PROOF_OUTPUTFILE", "PROOF_USE_NTP_RNDM", "PROOF_NTUPLE_DONT_PLOT", "PROOF_UseParallelUnzip",
                 "PROOF_UseTreeCache", "MyAnalysis_Cut"):
        assert name not in err, f"{name} is not announced"
    # A name set both ways: the object in the input list decides.
    fresh_proof.SetParameter("PROOF_UseParallelUnzip", 1)
    fresh_proof.DeleteParameters("PROOF_UseMergers")
    fresh_proof.SetParameter("PROOF_UseMergers", 2)
    assert c.Process(COUNT_SEL, "", 100) == 0
    err = capfd.readouterr().err
    assert "Info in <TProof::SetParameter>: PROOF_UseParallelUnzip is accepted" in err
    assert "PROOF_UseMergers" not in err, "announced once per session"


def test_load_ships_helper_code_to_every_worker(ROOT, fresh_proof, capfd):
    helper = selector_path("helper/Helper.C")
    assert fresh_proof.Load(helper + "+," + selector_path("helper/Extra.h")) == 0
    assert ROOT.HelperScale(2.0) == 4.0, "loaded on the client too"
    capfd.readouterr()
    assert fresh_proof.Exec('printf("scaled=%g\\n", HelperScale(21));') == 0
    assert capfd.readouterr().out.count("scaled=42") == 2
    n = 1000
    assert fresh_proof.Process(selector_path("helper/UsesHelper.C") + "+", n) == 0
    assert fresh_proof.GetOutput("scaled_sum").GetVal() == 2.0 * n
    assert fresh_proof.Load(selector_path("helper/Helper2.C") + "+", True) == 0
    assert "Helper2_C" not in str(ROOT.gSystem.GetLibraries()), "notOnClient: not loaded here"
    capfd.readouterr()
    assert fresh_proof.Exec('printf("h2=%d\\n", Helper2Value());') == 0
    assert capfd.readouterr().out.count("h2=99") == 2
    assert fresh_proof.Load(selector_path("helper/NoSuchHelper.C") + "+") == -1


def test_set_parallel_limits_the_workers_used(ROOT, fresh_proof, chain, capfd):
    try:
        assert fresh_proof.SetParallel(1) == 1
        assert "PROOF set to parallel mode (1 worker)" in capfd.readouterr().out
        assert fresh_proof.GetParallel() == 1
        states = [i.GetStatus() for i in fresh_proof.GetListOfSlaveInfos()]
        assert states == [ROOT.TSlaveInfo.kActive, ROOT.TSlaveInfo.kNotActive]
        c = chain()
        c.SetProof()
        assert c.Process(V0, "", 20000) == 0
        assert fresh_proof.GetOutput("n_Begin").GetVal() == 1, "one worker ran the query"
    finally:
        assert fresh_proof.SetParallel(-1) == 2
    assert fresh_proof.GetParallel() == 2


def test_worker_printing_outside_a_query_never_blocks(fresh_proof):
    """Local workers share the cluster's stdout pipe: it is drained, so a worker printing outside a
    query (where nothing captures its output) does not block on a full pipe (it once hung)."""
    from proofshim.face import session

    def _print_a_lot() -> int:   # local: sent to the worker by value
        for _ in range(3000):      # 300 kB: far more than a pipe holds
            print("x" * 100, flush=True)
        return 1

    executor = session.get(fresh_proof).executor
    fut = executor.client.submit(_print_a_lot, pure=False)
    assert fut.result(timeout=60) == 1
