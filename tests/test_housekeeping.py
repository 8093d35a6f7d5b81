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


def test_proof_parameters_accepted_and_announced_once(ROOT, fresh_proof, chain, capfd):
    fresh_proof.SetParameter("PROOF_Packetizer", "TPacketizerUnit")
    fresh_proof.SetParameter("PROOF_MaxSlavesPerNode", 8)
    fresh_proof.SetParameter("PROOF_MinPacketTime", 0.5)
    c = chain()
    c.SetProof()
    capfd.readouterr()
    assert c.Process(V0, "", 100) == 0
    err = capfd.readouterr().err
    assert "PROOF_Packetizer is accepted" in err and "PROOF_MaxSlavesPerNode is accepted" in err
    assert "PROOF_MinPacketTime" not in err
    assert c.Process(V0, "", 100) == 0
    assert "PROOF_Packetizer" not in capfd.readouterr().err


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
    from proofshim import session

    def _print_a_lot() -> int:   # local: sent to the worker by value
        for _ in range(3000):      # 300 kB: far more than a pipe holds
            print("x" * 100, flush=True)
        return 1

    executor = session.get(fresh_proof).executor
    fut = executor.client.submit(_print_a_lot, pure=False)
    assert fut.result(timeout=60) == 1
