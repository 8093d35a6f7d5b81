// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// TQueryResult.

// =====================================================================================
// TQueryResult

TQueryResult::TQueryResult(Int_t seqnum, const char *sessiontag, const char *selector, const char *options,
                           Long64_t entries, Long64_t first)
   : TNamed(TString::Format("q%d", seqnum).Data(), TString::Format("%s:q%d", sessiontag, seqnum).Data()),
     fSeqNum(seqnum), fSelecName(selector), fOptions(options), fEntries(entries), fFirst(first),
     fStatus(kRunning)
{
}

TQueryResult::~TQueryResult()
{
   if (fOwnsOutput) delete fOutputList;
   delete fLogFile;
}

void TQueryResult::SetLogText(const char *text)
{
   delete fLogFile;
   fLogFile = new TMacro;   // not TMacro(name, title): that reads a file of that name
   fLogFile->SetNameTitle(GetName(), "log of the query");
   ProofShim::AddLines(fLogFile, text);
}

void TQueryResult::SetDone(Long64_t processed, Long64_t bytes, Long64_t result, Float_t realtime, Int_t status)
{
   fProcessed = processed;
   fBytes = bytes;
   fResult = result;
   fRealTime = realtime;
   fStatus = (EQueryStatus)status;
}

void TQueryResult::SetTimes(Float_t inittime, Float_t proctime, Float_t usedcpu, Int_t packets)
{
   fInitTime = inittime;
   fProcTime = proctime;
   fUsedCPU = usedcpu;
   fNumPackets = packets;
}

void TQueryResult::AddWorkerStats(const char *name, Long64_t entries, Int_t packets, Float_t proctime)
{
   fWrkNames.emplace_back(name);
   fWrkEntries.push_back(entries);
   fWrkPackets.push_back(packets);
   fWrkProcTime.push_back(proctime);
}

static bool WorkerIndexOk(Int_t i, size_t n)
{
   return i >= 0 && (size_t)i < n;
}

const char *TQueryResult::GetWorkerName(Int_t i) const
{
   return WorkerIndexOk(i, fWrkNames.size()) ? fWrkNames[i].Data() : "";
}
Long64_t TQueryResult::GetWorkerEntries(Int_t i) const
{
   return WorkerIndexOk(i, fWrkEntries.size()) ? fWrkEntries[i] : -1;
}
Int_t TQueryResult::GetWorkerPackets(Int_t i) const
{
   return WorkerIndexOk(i, fWrkPackets.size()) ? fWrkPackets[i] : -1;
}
Float_t TQueryResult::GetWorkerProcTime(Int_t i) const
{
   return WorkerIndexOk(i, fWrkProcTime.size()) ? fWrkProcTime[i] : -1;
}
Float_t TQueryResult::GetWorkerRate(Int_t i) const
{
   Float_t t = GetWorkerProcTime(i);
   return t > 0 ? GetWorkerEntries(i) / t : 0;
}

void TQueryResult::SetOutputList(TList *out)
{
   fOutputList = out;
}

void TQueryResult::AdoptOutput(TList *out)
{
   TList *own = new TList;
   own->SetOwner(kTRUE);
   TIter next(out);
   while (TObject *o = next()) own->Add(o);
   out->Clear("nodelete");
   fOutputList = own;
   fOwnsOutput = kTRUE;
}

void TQueryResult::Print(Option_t *option) const
{
   static const char *names[] = {"aborted", "submitted", "running", "stopped", "completed"};
   Printf("+++ #:%d ref:\"%s\" sel:%s %9s %lld events processed in %.2f s", fSeqNum, GetTitle(),
          fSelecName.Data(), names[fStatus], fProcessed, fRealTime);
   if (!TString(option).Contains("F", TString::kIgnoreCase)) return;
   Printf("+++        init: %.2f s, processing: %.2f s, CPU on workers: %.2f s, %.2f MB read, %d packets",
          fInitTime, fProcTime, fUsedCPU, fBytes / 1.e6, fNumPackets);
   for (Int_t i = 0; i < GetNumWrks(); ++i)
      Printf("+++        worker %-24s %10lld entries %5d packets %10.1f evts/s", GetWorkerName(i),
             GetWorkerEntries(i), GetWorkerPackets(i), GetWorkerRate(i));
}
