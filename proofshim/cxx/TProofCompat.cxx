// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// the rest of PROOF's public TProof API (docs/API.md).

// =====================================================================================
// proofshim compat: the rest of PROOF's public TProof API (docs/API.md). Methods accepted without
// effect or refused only name themselves: proofshim/face/methods.py holds the message and logs it.

#include "TMap.h"
#include <unistd.h>

namespace ProofShim {
// Logs "Info in <TProof::X>: X() has no effect with proofshim: ..." (kind "NoEffect") or the
// "Error ... is not supported by proofshim: ..." line of a refused method ("Refused").
static void Note(TProof *p, const char *kind, const char *where)
{
   CallHook(p, kind, where, 0);
}
} // namespace ProofShim

void TProof::SetSessionInfo(const char *user, const char *workdir, Int_t port)
{
   fUser = user ? user : "";
   fWorkDir = workdir ? workdir : "";
   fPort = port;
}

void TProof::AddLoadedMacro(const char *name)
{
   fCompatNames.Add(new TObjString(name));
}

void TProof::AddFoundName(const char *name)
{
   fCompatNames.Add(new TObjString(name));
}

void TProof::cd(Int_t id)
{
   // PROOF: make session `id` (this one for -1) the default one; an unknown id changes nothing.
   if (id < 0 || id == fSessionId) {
      if (fValid) gProof = this;
      return;
   }
   TIter next(ProofShim::ListOfProofs());
   while (TObject *o = next()) {
      TProof *p = dynamic_cast<TProof *>(o);
      if (p && p->IsValid() && p->GetSessionID() == id) {
         gProof = p;
         return;
      }
   }
}

Int_t TProof::Ping()
{
   if (!fValid) return -1;
   return (Int_t)ProofShim::CallHook(this, "Ping", "", 0);
}

void TProof::Touch()
{
   ProofShim::Note(this, "NoEffect", "TProof::Touch");
}

TString TProof::Getenv(const char *env, const char *ord)
{
   if (!fValid) return "";
   TObject *v = ProofShim::ObjectHook(this, "Getenv", TString::Format("%s\n%s", env, ord ? ord : "0"));
   TString value = v ? v->GetName() : "";
   delete v;
   return value;
}

// gEnv's value of `name` on worker `ord`, as a string; -1 when it is not defined there.
static Int_t RemoteRC(TProof *p, const char *name, const char *ord, TString &value)
{
   if (!p->IsValid()) return -1;
   TObject *v = ProofShim::ObjectHook(p, "GetRC", TString::Format("%s\n%s", name, ord ? ord : "0"));
   if (!v) return -1;
   value = v->GetName();
   delete v;
   return 0;
}

Int_t TProof::GetRC(const char *RCenv, Int_t &env, const char *ord)
{
   TString v;
   if (RemoteRC(this, RCenv, ord, v) != 0) return -1;
   env = v.Atoi();
   return 0;
}

Int_t TProof::GetRC(const char *RCenv, Double_t &env, const char *ord)
{
   TString v;
   if (RemoteRC(this, RCenv, ord, v) != 0) return -1;
   env = v.Atof();
   return 0;
}

Int_t TProof::GetRC(const char *RCenv, TString &env, const char *ord)
{
   return RemoteRC(this, RCenv, ord, env);
}

Int_t TProof::Echo(const TObject *obj)
{
   if (!fValid || !obj) return -1;
   fHookObject = obj;
   Int_t rc = (Int_t)ProofShim::CallHook(this, "EchoObject", "", 0);
   fHookObject = nullptr;
   return rc;
}

Int_t TProof::Echo(const char *str)
{
   if (!fValid) return -1;
   return (Int_t)ProofShim::CallHook(this, "Echo", str, 0);
}

// ---- queries

// The query `ref` names ("qN", "N", "tag:qN"), or the query with sequence number `seq`; the last
// query for an empty reference or a non-positive number.
static TQueryResult *FindQuery(TList *queries, const char *ref, Int_t seq)
{
   if (ref == nullptr && seq <= 0) return (TQueryResult *)queries->Last();
   TIter next(queries);
   while (auto *qr = (TQueryResult *)next()) {
      if (ref == nullptr) {
         if (qr->GetSeqNum() == seq) return qr;
         continue;
      }
      TString r(ref);
      if (r.IsNull()) return (TQueryResult *)queries->Last();
      // PROOF's references: the query's name ("q3"), "<session>:<name>" (its title) or its number;
      // another session's reference matches nothing.
      if (r == qr->GetName() || r == qr->GetTitle() || r == TString::Format("%d", qr->GetSeqNum()))
         return qr;
   }
   return nullptr;
}

static TString QueryLabel(const char *ref, Int_t seq)
{
   return ref ? TString::Format("'%s'", ref) : TString::Format("#%d", seq);
}

Int_t TProof::Archive(Int_t, const char *)
{
   ProofShim::Note(this, "Refused", "TProof::Archive");
   return -1;
}

Int_t TProof::Archive(const char *, const char *)
{
   ProofShim::Note(this, "Refused", "TProof::Archive");
   return -1;
}

Int_t TProof::CleanupSession(const char *)
{
   ProofShim::Note(this, "NoEffect", "TProof::CleanupSession");
   return 0;
}

// Queries run synchronously: by the time a script can name one it has been finalized (merged,
// Terminate run). Finalize returns what Process returned, as PROOF did.
static Long64_t FinalizeQuery(TList *queries, const char *ref, Int_t seq)
{
   TQueryResult *qr = FindQuery(queries, ref, seq);
   if (!qr) {
      ::Error("TProof::Finalize", "query %s not found: GetQueryResults() lists this session's queries",
              QueryLabel(ref, seq).Data());
      return -1;
   }
   return qr->GetResult();
}

Long64_t TProof::Finalize(Int_t query, Bool_t)
{
   return FinalizeQuery(fQueries, nullptr, query);
}

Long64_t TProof::Finalize(const char *queryref, Bool_t)
{
   return FinalizeQuery(fQueries, queryref ? queryref : "", 0);
}

static Int_t RemoveQuery(TList *queries, const char *ref, Int_t seq)
{
   TQueryResult *qr = FindQuery(queries, ref, seq);
   if (!qr) {
      ::Error("TProof::Remove", "query %s not found: GetQueryResults() lists this session's queries",
              QueryLabel(ref, seq).Data());
      return -1;
   }
   queries->Remove(qr);
   delete qr;   // the current output list is not the query's to delete (TQueryResult::SetOutputList)
   return 0;
}

Int_t TProof::Remove(Int_t query, Bool_t)
{
   return RemoveQuery(fQueries, nullptr, query);
}

Int_t TProof::Remove(const char *queryref, Bool_t)
{
   return RemoveQuery(fQueries, queryref ? queryref : "", 0);
}

// The outputs are on the client already; a path asks for the query result to be saved there.
static Int_t RetrieveQuery(TList *queries, const char *ref, Int_t seq, const char *path)
{
   TQueryResult *qr = FindQuery(queries, ref, seq);
   if (!qr) {
      ::Error("TProof::Retrieve", "query %s not found: GetQueryResults() lists this session's queries",
              QueryLabel(ref, seq).Data());
      return -1;
   }
   if (!path || !*path) return 0;
   TDirectory::TContext ctx;
   TFile *f = TFile::Open(path, "RECREATE");
   if (!f || f->IsZombie()) {
      ::Error("TProof::Retrieve", "cannot create '%s' to save query %s in", path, qr->GetTitle());
      delete f;
      return -1;
   }
   qr->Write();
   f->Close();
   delete f;
   return 0;
}

Int_t TProof::Retrieve(Int_t query, const char *path)
{
   return RetrieveQuery(fQueries, nullptr, query, path);
}

Int_t TProof::Retrieve(const char *queryref, const char *path)
{
   return RetrieveQuery(fQueries, queryref ? queryref : "", 0, path);
}

void TProof::DisableGoAsyn()
{
   ProofShim::Note(this, "NoEffect", "TProof::DisableGoAsyn");
}

void TProof::GoAsynchronous()
{
   ProofShim::Note(this, "NoEffect", "TProof::GoAsynchronous");
}

TProof::EQueryMode TProof::GetQueryMode(Option_t *mode) const
{
   // As PROOF: "ASYN"/"SYNC" in a Process option overrides the session's mode.
   TString m(mode ? mode : "");
   m.ToUpper();
   if (m.Contains("ASYN")) return kAsync;
   if (m.Contains("SYNC")) return kSync;
   return fQueryMode;
}

void TProof::SetQueryMode(EQueryMode mode)
{
   fQueryMode = mode;
   if (mode == kAsync) ProofShim::CallHook(this, "AsyncMode", "", 0);
}

TList *TProof::GetListOfQueries(Option_t *)
{
   return fQueries;
}

Int_t TProof::GetNumberOfQueries()
{
   return fQueries->GetSize();
}

Int_t TProof::GetNumberOfDrawQueries()
{
   // Draw calls of the session (one Draw with automatic binning runs two queries on the workers).
   return fValid ? (Int_t)ProofShim::CallHook(this, "NumberOfDrawQueries", "", 0) : 0;
}

void TProof::GetMaxQueries()
{
   ProofShim::Note(this, "NoEffect", "TProof::GetMaxQueries");
}

void TProof::SetMaxDrawQueries(Int_t)
{
   ProofShim::Note(this, "NoEffect", "TProof::SetMaxDrawQueries");
}

Int_t TProof::GetSeqNum() const
{
   auto *last = (TQueryResult *)fQueries->Last();
   return last ? last->GetSeqNum() : 0;
}

Int_t TProof::GetStatus() const
{
   auto *last = (TQueryResult *)fQueries->Last();
   return last && last->GetStatus() == TQueryResult::kAborted ? -1 : 0;
}

TProof::ERunStatus TProof::GetRunStatus() const
{
   auto *last = (TQueryResult *)fQueries->Last();
   if (!last) return kRunning;
   if (last->GetStatus() == TQueryResult::kAborted) return kAborted;
   if (last->GetStatus() == TQueryResult::kStopped) return kStopped;
   return kRunning;
}

// PROOF's statistics were the workers' totals over the session: so are these, over its queries.
template <class T, class F>
static T SumOverQueries(TList *queries, F value)
{
   T sum = 0;
   TIter next(queries);
   while (auto *qr = (TQueryResult *)next()) sum += value(qr);
   return sum;
}

Long64_t TProof::GetBytesRead() const
{
   return SumOverQueries<Long64_t>(fQueries, [](TQueryResult *qr) { return qr->GetBytes(); });
}

Float_t TProof::GetRealTime() const
{
   return SumOverQueries<Float_t>(fQueries, [](TQueryResult *qr) {
      Float_t t = 0;
      for (Int_t i = 0; i < qr->GetNumWrks(); ++i) t += qr->GetWorkerProcTime(i);
      return t;
   });
}

Float_t TProof::GetCpuTime() const
{
   return SumOverQueries<Float_t>(fQueries, [](TQueryResult *qr) { return qr->GetUsedCPU(); });
}

void TProof::GetStatistics(Bool_t verbose)
{
   if (!verbose) return;
   Printf(" Total MB's processed:         %.2f", GetBytesRead() / (1024. * 1024.));
   Printf(" Total real time used (s):     %.3f", GetRealTime());
   Printf(" Total CPU time used (s):      %.3f", GetCpuTime());
}

TObject *TProof::GetOutput(const char *name, TList *out)
{
   return out && name ? out->FindObject(name) : nullptr;
}

TList *TProof::GetOutputNames()
{
   // A new list, owned by the caller, as PROOF's was.
   TList *names = new TList;
   names->SetOwner(kTRUE);
   TIter next(fOutput);
   while (TObject *o = next()) names->Add(new TObjString(o->GetName()));
   return names;
}

TFileCollection *TProof::GetMissingFiles(TQueryResult *qr)
{
   if (!qr) qr = (TQueryResult *)fQueries->Last();
   TList *out = qr ? qr->GetOutputList() : nullptr;
   TList *missing = out ? dynamic_cast<TList *>(out->FindObject("MissingFiles")) : nullptr;
   if (!missing || missing->GetSize() == 0) return nullptr;
   auto *fc = new TFileCollection("MissingFiles", "files not processed by the query");
   TIter next(missing);
   while (TObject *o = next())
      if (auto *fi = dynamic_cast<TFileInfo *>(o)) fc->Add((TFileInfo *)fi->Clone());
   fc->Update();
   return fc;
}

void TProof::ShowMissingFiles(TQueryResult *qr)
{
   if (!qr) qr = (TQueryResult *)fQueries->Last();
   TList *out = qr ? qr->GetOutputList() : nullptr;
   TList *missing = out ? dynamic_cast<TList *>(out->FindObject("MissingFiles")) : nullptr;
   if (!missing || missing->GetSize() == 0) {
      Info("ShowMissingFiles", "no (last) query or no missing files");
      return;
   }
   Printf(" +++ %d file(s) not processed by query %s:", missing->GetSize(), qr->GetTitle());
   TIter next(missing);
   while (TObject *o = next()) {
      auto *fi = dynamic_cast<TFileInfo *>(o);
      Printf(" +++ %s: %s", fi && fi->GetCurrentUrl() ? fi->GetCurrentUrl()->GetUrl() : o->GetName(),
             o->GetTitle());
   }
}

TTree *TProof::GetTreeHeader(TDSet *tdset)
{
   // The tree of the set's first file, without entries and detached from the file: branches and
   // structure as the selector sees them. Read here on the client.
   TDSetElement *el = tdset && tdset->GetListOfElements() ? (TDSetElement *)tdset->GetListOfElements()->First()
                                                          : nullptr;
   if (!el) {
      Error("GetTreeHeader", "the data set is empty (or null)");
      return nullptr;
   }
   TDirectory::TContext ctx;
   TFile *f = TFile::Open(el->GetFileName(), "READ");
   if (!f || f->IsZombie()) {
      Error("GetTreeHeader", "cannot open '%s' on the client", el->GetFileName());
      delete f;
      return nullptr;
   }
   TDirectory *d = f;
   if (el->GetDirectory() && *el->GetDirectory() && strcmp(el->GetDirectory(), "/") != 0)
      d = f->GetDirectory(el->GetDirectory());
   TTree *t = nullptr;
   if (d) d->GetObject(el->GetObjName(), t);
   if (!t) {
      Error("GetTreeHeader", "tree '%s' not found in '%s'", el->GetObjName(), el->GetFileName());
      delete f;
      return nullptr;
   }
   gROOT->cd();
   TTree *header = t->CloneTree(0);
   header->SetDirectory(nullptr);
   delete f;
   return header;
}

Bool_t TProof::IsDataReady(Long64_t &totalbytes, Long64_t &bytesready)
{
   // Nothing is staged: data is read where it is, so it is always ready.
   totalbytes = bytesready = 0;
   return kTRUE;
}

void TProof::SetRealTimeLog(Bool_t)
{
   ProofShim::Note(this, "NoEffect", "TProof::SetRealTimeLog");
}

void TProof::SetPrintProgress(PrintProgress_t)
{
   ProofShim::Note(this, "NoEffect", "TProof::SetPrintProgress");
}

void TProof::SetProgressDialog(Bool_t)
{
   ProofShim::Note(this, "NoEffect", "TProof::SetProgressDialog");
}

void TProof::ResetProgressDialogStatus()
{
   ProofShim::Note(this, "NoEffect", "TProof::ResetProgressDialogStatus");
}

Int_t TProof::SavePerfTree(const char *pf, const char *qref)
{
   TString arg = TString::Format("%s\n%s", pf ? pf : "", qref ? qref : "");
   return (Int_t)ProofShim::CallHook(this, "SavePerfTree", arg);
}

void TProof::SetPerfTree(const char *pf, Bool_t withWrks)
{
   ProofShim::CallHook(this, "SetPerfTree", pf ? pf : "", withWrks);
}

TDrawFeedback *TProof::CreateDrawFeedback()
{
   ProofShim::Note(this, "NoEffect", "TProof::CreateDrawFeedback");
   return nullptr;
}

void TProof::SetDrawFeedbackOption(TDrawFeedback *, Option_t *)
{
   ProofShim::Note(this, "NoEffect", "TProof::SetDrawFeedbackOption");
}

void TProof::DeleteDrawFeedback(TDrawFeedback *)
{
   ProofShim::Note(this, "NoEffect", "TProof::DeleteDrawFeedback");
}

void TProof::QueryResultReady(const char *ref)
{
   EmitVA<const char *>("QueryResultReady(const char*)", 1, ref);
}

void TProof::CloseProgressDialog()
{
   Emit("CloseProgressDialog()");
}

void TProof::ResetProgressDialog(const char *sel, Int_t sz, Long64_t fst, Long64_t ent)
{
   EmitVA<const char *, Int_t, Long64_t, Long64_t>("ResetProgressDialog(const char*,Int_t,Long64_t,Long64_t)", 4,
                                                   sel, sz, fst, ent);
}

void TProof::StartupMessage(const char *msg, Bool_t status, Int_t done, Int_t total)
{
   EmitVA<const char *, Bool_t, Int_t, Int_t>("StartupMessage(const char*,Bool_t,Int_t,Int_t)", 4, msg, status,
                                              done, total);
}

void TProof::DataSetStatus(const char *msg, Bool_t status, Int_t done, Int_t total)
{
   EmitVA<const char *, Bool_t, Int_t, Int_t>("DataSetStatus(const char*,Bool_t,Int_t,Int_t)", 4, msg, status,
                                              done, total);
}

void TProof::SendDataSetStatus(const char *msg, UInt_t n, UInt_t tot, Bool_t st)
{
   DataSetStatus(msg, st, (Int_t)n, (Int_t)tot);
}

// ---- the session

Bool_t TProof::IsTty() const
{
   return isatty(0) && isatty(1);
}

void TProof::SetAlias(const char *alias)
{
   SetTitle(alias ? alias : "");
}

void TProof::Detach(Option_t *)
{
   // A dask session cannot be left running for a later reattach: detaching ends it, as
   // Detach("S") (shutdown) did in PROOF.
   if (!fValid) return;
   ProofShim::CallHook(this, "Detach", "", 0);
   Close();
}

TProofMgr *TProof::GetManager()
{
   if (!fManager) {
      fManager = new TProofMgr(fUrl);
      fManager->SetSession(this);
      fCompatOwned.SetOwner(kTRUE);
      fCompatOwned.Add(fManager);
   }
   return fManager;
}

void TProof::SetManager(TProofMgr *mgr)
{
   fManager = mgr;
   if (mgr) mgr->SetSession(this);
}

Int_t TProof::ActivateWorker(const char *, Bool_t)
{
   ProofShim::Note(this, "Refused", "TProof::ActivateWorker");
   return -1;
}

Int_t TProof::DeactivateWorker(const char *, Bool_t)
{
   ProofShim::Note(this, "Refused", "TProof::DeactivateWorker");
   return -1;
}

void TProof::AddChain(TChain *chain)
{
   // Ties the chain to this session (SetProof() makes it follow gProof).
   if (!chain || !fValid) return;
   ProofShim::BindChain(chain, this);
}

void TProof::RemoveChain(TChain *chain)
{
   ProofShim::UnbindChain(chain, this);
}

TList *TProof::GetLoadedMacros() const
{
   auto *self = const_cast<TProof *>(this);
   self->fCompatNames.SetOwner(kTRUE);
   self->fCompatNames.Delete();
   if (fValid) ProofShim::CallHook(self, "LoadedMacros", "", 0);
   return self->fCompatNames.GetSize() ? &self->fCompatNames : nullptr;
}

void TProof::LogViewer(const char *, Int_t)
{
   ProofShim::Note(nullptr, "Refused", "TProof::LogViewer");
}

// ---- code, cache and data

void TProof::ShowCache(Bool_t all)
{
   if (fValid) ProofShim::CallHook(this, "ShowCache", "", all ? 1 : 0);
}

void TProof::ClearCache(const char *file)
{
   if (fValid) ProofShim::CallHook(this, "ClearCache", file ? file : "", 0);
}

Int_t TProof::DownloadPackage(const char *par, const char *dstdir)
{
   if (!fValid) return -1;
   return (Int_t)ProofShim::CallHook(this, "DownloadPackage",
                                     TString::Format("%s\n%s", par ? par : "", dstdir ? dstdir : ""), 0);
}

// Paths travel as "add|remove" + "include|dynamic" in the method name, onClient as the integer.
Int_t TProof::AddDynamicPath(const char *libpath, Bool_t onClient, TList *, Bool_t)
{
   if (!fValid) return -1;
   return (Int_t)ProofShim::CallHook(this, "AddDynamicPath", libpath, onClient ? 1 : 0);
}

Int_t TProof::AddIncludePath(const char *incpath, Bool_t onClient, TList *, Bool_t)
{
   if (!fValid) return -1;
   return (Int_t)ProofShim::CallHook(this, "AddIncludePath", incpath, onClient ? 1 : 0);
}

Int_t TProof::RemoveDynamicPath(const char *libpath, Bool_t onClient)
{
   if (!fValid) return -1;
   return (Int_t)ProofShim::CallHook(this, "RemoveDynamicPath", libpath, onClient ? 1 : 0);
}

Int_t TProof::RemoveIncludePath(const char *incpath, Bool_t onClient)
{
   if (!fValid) return -1;
   return (Int_t)ProofShim::CallHook(this, "RemoveIncludePath", incpath, onClient ? 1 : 0);
}

Int_t TProof::UploadDataSet(const char *, TList *, const char *, Int_t, TList *)
{
   ProofShim::Note(this, "Refused", "TProof::UploadDataSet");
   return -1;
}

Int_t TProof::UploadDataSet(const char *, const char *, const char *, Int_t, TList *)
{
   ProofShim::Note(this, "Refused", "TProof::UploadDataSet");
   return -1;
}

Int_t TProof::UploadDataSetFromFile(const char *, const char *, const char *, Int_t, TList *)
{
   ProofShim::Note(this, "Refused", "TProof::UploadDataSetFromFile");
   return -1;
}

TList *TProof::FindDataSets(const char *searchString, const char *)
{
   // Names (TObjString) of the registered data sets matching the wildcard; owned by the caller.
   fCompatNames.SetOwner(kTRUE);
   fCompatNames.Delete();
   ProofShim::CallHook(this, "FindDataSets", searchString ? searchString : "", 0);
   TList *names = new TList;
   names->SetOwner(kTRUE);
   TIter next(&fCompatNames);
   while (TObject *o = next()) names->Add(o);
   fCompatNames.Clear("nodelete");
   return names;
}

TMap *TProof::GetDataSets(const char *uri, const char *optStr)
{
   // Name -> TFileCollection of every registered data set matching `uri`; owned by the caller.
   TList *names = FindDataSets(uri, optStr);
   TMap *map = new TMap;
   map->SetOwnerKeyValue(kTRUE, kTRUE);
   TIter next(names);
   while (TObject *n = next())
      if (TFileCollection *fc = GetDataSet(n->GetName())) map->Add(new TObjString(n->GetName()), fc);
   delete names;
   return map;
}

void TProof::ShowDataSet(const char *dataset, const char *opt)
{
   ProofShim::CallHook(this, "ShowDataSet", TString::Format("%s\n%s", dataset ? dataset : "", opt ? opt : ""), 0);
}

Int_t TProof::VerifyDataSet(const char *dataset, const char *)
{
   if (!fValid) return -1;
   return (Int_t)ProofShim::CallHook(this, "VerifyDataSet", dataset, 0);
}

Int_t TProof::SetDataSetTreeName(const char *dataset, const char *treename)
{
   return (Int_t)ProofShim::CallHook(this, "SetDataSetTreeName",
                                     TString::Format("%s\n%s", dataset ? dataset : "", treename ? treename : ""), 0);
}

TMap *TProof::GetDataSetQuota(const char *)
{
   ProofShim::Note(this, "NoEffect", "TProof::GetDataSetQuota");
   return nullptr;
}

void TProof::ShowDataSetQuota(Option_t *)
{
   ProofShim::Note(this, "NoEffect", "TProof::ShowDataSetQuota");
}

Bool_t TProof::RequestStagingDataSet(const char *)
{
   ProofShim::Note(this, "Refused", "TProof::RequestStagingDataSet");
   return kFALSE;
}

TFileCollection *TProof::GetStagingStatusDataSet(const char *)
{
   ProofShim::Note(this, "Refused", "TProof::GetStagingStatusDataSet");
   return nullptr;
}

void TProof::ShowStagingStatusDataSet(const char *, const char *)
{
   ProofShim::Note(this, "Refused", "TProof::ShowStagingStatusDataSet");
}

Bool_t TProof::CancelStagingDataSet(const char *)
{
   ProofShim::Note(this, "Refused", "TProof::CancelStagingDataSet");
   return kFALSE;
}

void TProof::ShowDataSetCache(const char *)
{
   ProofShim::Note(this, "NoEffect", "TProof::ShowDataSetCache");
}

void TProof::ClearDataSetCache(const char *)
{
   ProofShim::Note(this, "NoEffect", "TProof::ClearDataSetCache");
}

void TProof::ShowData()
{
   if (fValid) ProofShim::CallHook(this, "ShowData", "", 0);
}

void TProof::ClearData(UInt_t what, const char *dsname)
{
   if (fValid) ProofShim::CallHook(this, "ClearData", dsname ? dsname : "", (Long64_t)what);
}
