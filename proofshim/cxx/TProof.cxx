// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// TProof: sessions, queries, input lists and parameters, packages, environment, logs.

// =====================================================================================
// TProof

TProof *gProof = nullptr;
TVirtualMutex *gProofMutex = nullptr;

// The input list does not own what AddInput gives it (PROOF's did not either); objects made by
// SetParameter are deleted when replaced or by DeleteParameters.
static void MakeLists(TList *&input, TList *&output, TList *&inputData, TList *&queries, TList *&slaves)
{
   input = new TList;
   output = new TList;
   output->SetOwner(kTRUE);
   inputData = new TList;
   queries = new TList;
   queries->SetOwner(kTRUE);
   slaves = new TList;
   slaves->SetOwner(kTRUE);
}

TProof::TProof()
{
   MakeLists(fInput, fOutput, fInputData, fQueries, fSlaveInfo);
   fPackageNames = new TList;
   fPackageNames->SetOwner(kTRUE);
   fFeedback = new TList;
   fFeedback->SetOwner(kTRUE);
}

TProof::TProof(const char *url, Int_t sessionid, const char *tag, Bool_t lite, Int_t loglevel)
   : TNamed(url, "proofshim session"), fSessionId(sessionid), fUrl(url), fSessionTag(tag), fValid(kTRUE),
     fLite(lite), fLogLevel(loglevel)
{
   MakeLists(fInput, fOutput, fInputData, fQueries, fSlaveInfo);
   fPackageNames = new TList;
   fPackageNames->SetOwner(kTRUE);
   fFeedback = new TList;
   fFeedback->SetOwner(kTRUE);
   ProofShim::ListOfProofs()->Add(this);
}

TProof::~TProof()
{
   ProofShim::ForgetSession(this);
   ProofShim::ListOfProofs()->Remove(this);
   if (gProof == this) gProof = nullptr;
   delete fInput;
   delete fOutput;
   delete fInputData;
   delete fQueries;
   delete fSlaveInfo;
   delete fPackageNames;
   delete fFeedback;
   delete fMacroLog;
}

TProof *TProof::Open(const char *url, const char *conffile, const char *confdir, Int_t loglevel)
{
   if (!ProofShim::gOpenHook) {
      ::Error("TProof::Open", "proofshim is not active in this process (import proofshim first)");
      return nullptr;
   }
   // One string for the hook: the URL, PROOF's configuration field ("workers=N", ...) and the
   // configuration directory, one a line.
   TString args = TString::Format("%s\n%s\n%s", url ? url : "", conffile ? conffile : "", confdir ? confdir : "");
   TProof *p = ProofShim::gOpenHook(args.Data(), loglevel);
   if (p) gProof = p;
   return p;
}

void TProof::Reset(const char *url, Bool_t hard)
{
   ProofShim::CallHook(nullptr, "Reset", url, hard);
}

void TProof::Close(Option_t *option)
{
   if (!fValid) return;
   ProofShim::CallHook(this, "Close", option, 0);
   ProofShim::ForgetSession(this);
   fValid = kFALSE;
   fParallel = 0;
   ProofShim::ListOfProofs()->Remove(this);
   if (gProof == this) {
      gProof = nullptr;
      TIter next(ProofShim::ListOfProofs());
      while (TObject *o = next()) {
         TProof *p = dynamic_cast<TProof *>(o);
         if (p && p->IsValid()) {
            gProof = p;
            break;
         }
      }
   }
}

void TProof::Print(Option_t *option) const
{
   ProofShim::CallHook(const_cast<TProof *>(this), "Print", option, 0);
}

void TProof::RecursiveRemove(TObject *obj)
{
   if (fInput) fInput->RecursiveRemove(obj);
   if (fOutput) fOutput->RecursiveRemove(obj);
}

Int_t TProof::SetParallel(Int_t nodes, Bool_t random)
{
   if (!fValid) return -1;
   return (Int_t)ProofShim::CallHook(this, random ? "SetParallelRandom" : "SetParallel", "", nodes);
}

void TProof::SetLogLevel(Int_t level, UInt_t)
{
   fLogLevel = level;
   ProofShim::CallHook(this, "SetLogLevel", "", level);
}

Long64_t TProof::Process(TDSet *dset, const char *selector, Option_t *option, Long64_t nentries, Long64_t first)
{
   return ProofShim::ProcessHook(this, "dset", dset, selector, nullptr, option, nentries, first, nullptr);
}
Long64_t TProof::Process(TFileCollection *fc, const char *selector, Option_t *option, Long64_t nentries,
                         Long64_t first)
{
   return ProofShim::ProcessHook(this, "fc", fc, selector, nullptr, option, nentries, first, nullptr);
}
Long64_t TProof::Process(const char *dsetname, const char *selector, Option_t *option, Long64_t nentries,
                         Long64_t first, TObject *enl)
{
   TObjString name(dsetname ? dsetname : "");
   return ProofShim::ProcessHook(this, "dsname", &name, selector, nullptr, option, nentries, first, enl);
}
Long64_t TProof::DrawSelect(TDSet *dset, const char *varexp, const char *selection, Option_t *option,
                            Long64_t nentries, Long64_t first)
{
   return ProofShim::DrawHook(this, "draw:dset", dset, varexp, selection, option, nentries, first, nullptr);
}

Long64_t TProof::DrawSelect(const char *dsetname, const char *varexp, const char *selection, Option_t *option,
                            Long64_t nentries, Long64_t first, TObject *enl)
{
   TObjString name(dsetname ? dsetname : "");
   return ProofShim::DrawHook(this, "draw:dsname", &name, varexp, selection, option, nentries, first, enl);
}

Long64_t TProof::Process(const char *selector, Long64_t nentries, Option_t *option)
{
   return ProofShim::ProcessHook(this, "cycle", nullptr, selector, nullptr, option, nentries, 0, nullptr);
}
Long64_t TProof::Process(TDSet *dset, TSelector *selector, Option_t *option, Long64_t nentries, Long64_t first)
{
   return ProofShim::ProcessHook(this, "dset", dset, "", selector, option, nentries, first, nullptr);
}
Long64_t TProof::Process(TFileCollection *fc, TSelector *selector, Option_t *option, Long64_t nentries,
                         Long64_t first)
{
   return ProofShim::ProcessHook(this, "fc", fc, "", selector, option, nentries, first, nullptr);
}
Long64_t TProof::Process(const char *dsetname, TSelector *selector, Option_t *option, Long64_t nentries,
                         Long64_t first, TObject *enl)
{
   TObjString name(dsetname ? dsetname : "");
   return ProofShim::ProcessHook(this, "dsname", &name, "", selector, option, nentries, first, enl);
}
Long64_t TProof::Process(TSelector *selector, Long64_t nentries, Option_t *option)
{
   return ProofShim::ProcessHook(this, "cycle", nullptr, "", selector, option, nentries, 0, nullptr);
}

void TProof::StopProcess(Bool_t abort, Int_t timeout)
{
   ProofShim::CallHook(this, "StopProcess", "", abort ? 1 : 0);
   (void)timeout;
}

void TProof::AddFeedback(const char *name)
{
   if (!name || !*name || fFeedback->FindObject(name)) return;
   fFeedback->Add(new TObjString(name));
}

void TProof::RemoveFeedback(const char *name)
{
   if (TObject *o = fFeedback->FindObject(name)) {
      fFeedback->Remove(o);
      delete o;
   }
}

void TProof::ClearFeedback()
{
   fFeedback->Delete();
}

void TProof::ShowFeedback() const
{
   if (fFeedback->GetSize() == 0) {
      Info("ShowFeedback", "no feedback requested");
      return;
   }
   Printf("Feedback list:");
   TIter next(fFeedback);
   while (TObject *o = next()) Printf("   %s", o->GetName());
}

void TProof::Progress(Long64_t total, Long64_t processed)
{
   EmitVA<Long64_t, Long64_t>("Progress(Long64_t,Long64_t)", 2, total, processed);
}

void TProof::Progress(Long64_t total, Long64_t processed, Long64_t bytesread, Float_t initTime, Float_t procTime,
                      Float_t evtrti, Float_t mbrti)
{
   EmitVA<Long64_t, Long64_t, Long64_t, Float_t, Float_t, Float_t, Float_t>(
      "Progress(Long64_t,Long64_t,Long64_t,Float_t,Float_t,Float_t,Float_t)", 7, total, processed, bytesread,
      initTime, procTime, evtrti, mbrti);
}

void TProof::Progress(Long64_t total, Long64_t processed, Long64_t bytesread, Float_t initTime, Float_t procTime,
                      Float_t evtrti, Float_t mbrti, Int_t actw, Int_t tses, Float_t eses)
{
   EmitVA<Long64_t, Long64_t, Long64_t, Float_t, Float_t, Float_t, Float_t, Int_t, Int_t, Float_t>(
      "Progress(Long64_t,Long64_t,Long64_t,Float_t,Float_t,Float_t,Float_t,Int_t,Int_t,Float_t)", 10, total,
      processed, bytesread, initTime, procTime, evtrti, mbrti, actw, tses, eses);
}

void TProof::EmitProgress(Long64_t total, Long64_t processed, Long64_t bytesread, Float_t initTime,
                          Float_t procTime, Float_t evtrti, Float_t mbrti, Int_t actw)
{
   Progress(total, processed);
   Progress(total, processed, bytesread, initTime, procTime, evtrti, mbrti);
   Progress(total, processed, bytesread, initTime, procTime, evtrti, mbrti, actw, 1, 1.f);
}

void TProof::Feedback(TList *objs)
{
   EmitVA<TList *>("Feedback(TList*)", 1, objs);
}

void TProof::AddInput(TObject *obj)
{
   if (obj) fInput->Add(obj);
}

void TProof::ClearInput()
{
   fInput->Clear("nodelete");
}

TObject *TProof::GetInput(const char *name)
{
   return fInput->FindObject(name);
}

// Name -> the object SetParameter made under it (ProofShim::MadeBySetParameter).
static std::map<std::string, const TObject *> &ParameterObjects()
{
   static std::map<std::string, const TObject *> made;
   return made;
}

Bool_t ProofShim::MadeBySetParameter(const TObject *obj)
{
   if (!obj) return kFALSE;
   auto it = ParameterObjects().find(obj->GetName());
   return it != ParameterObjects().end() && it->second == obj;
}

template <class T>
static void ReplaceParameter(TList *input, const char *par, T *obj)
{
   if (TObject *old = input->FindObject(par)) {
      input->Remove(old);
      delete old;
   }
   input->Add(obj);
   ParameterObjects()[par] = obj;
}

void TProof::SetParameter(const char *par, const char *value)
{
   ReplaceParameter(fInput, par, new TNamed(par, value));
}
void TProof::SetParameter(const char *par, Int_t value)
{
   ReplaceParameter(fInput, par, new TParameter<Int_t>(par, value));
}
void TProof::SetParameter(const char *par, Long_t value)
{
   ReplaceParameter(fInput, par, new TParameter<Long_t>(par, value));
}
void TProof::SetParameter(const char *par, Long64_t value)
{
   ReplaceParameter(fInput, par, new TParameter<Long64_t>(par, value));
}
void TProof::SetParameter(const char *par, Double_t value)
{
   ReplaceParameter(fInput, par, new TParameter<Double_t>(par, value));
}

TObject *TProof::GetParameter(const char *par) const
{
   return fInput->FindObject(par);
}

static Bool_t MatchesWildcard(const char *name, const char *wildcard)
{
   if (!wildcard || !*wildcard) return kTRUE;
   TString s(name);
   if (s == wildcard) return kTRUE;
   TRegexp re(wildcard, kTRUE);
   return s.Index(re) != kNPOS;
}

void TProof::DeleteParameters(const char *wildcard)
{
   TIter next(fInput);
   std::vector<TObject *> doomed;
   while (TObject *p = next())
      if (MatchesWildcard(p->GetName(), wildcard)) doomed.push_back(p);
   for (TObject *p : doomed) {
      fInput->Remove(p);
      if (ProofShim::MadeBySetParameter(p)) ParameterObjects().erase(p->GetName());
      delete p;
   }
}

void TProof::ShowParameters(const char *wildcard) const
{
   TIter next(fInput);
   while (TObject *p = next()) {
      if (!MatchesWildcard(p->GetName(), wildcard)) continue;
      if (p->IsA() == TNamed::Class()) {
         Printf("%s\t\t\t%s", p->GetName(), p->GetTitle());
      } else if (auto *pi = dynamic_cast<TParameter<Int_t> *>(p)) {
         Printf("%s\t\t\t%d", p->GetName(), pi->GetVal());
      } else if (auto *pl = dynamic_cast<TParameter<Long_t> *>(p)) {
         Printf("%s\t\t\t%ld", p->GetName(), pl->GetVal());
      } else if (auto *pll = dynamic_cast<TParameter<Long64_t> *>(p)) {
         Printf("%s\t\t\t%lld", p->GetName(), pll->GetVal());
      } else if (auto *pd = dynamic_cast<TParameter<Double_t> *>(p)) {
         Printf("%s\t\t\t%f", p->GetName(), pd->GetVal());
      } else {
         Printf("%s\t\t\t%s", p->GetName(), p->GetTitle());
      }
   }
}

Int_t TProof::GetParameter(TCollection *c, const char *par, TString &value)
{
   TObject *obj = c ? c->FindObject(par) : nullptr;
   if (obj && obj->IsA() == TNamed::Class()) {
      value = obj->GetTitle();
      return 0;
   }
   return -1;
}

template <class T>
static Int_t GetTypedParameter(TCollection *c, const char *par, T &value)
{
   TObject *obj = c ? c->FindObject(par) : nullptr;
   if (auto *p = dynamic_cast<TParameter<T> *>(obj)) {
      value = p->GetVal();
      return 0;
   }
   return -1;
}

Int_t TProof::GetParameter(TCollection *c, const char *par, Int_t &value)
{
   return GetTypedParameter(c, par, value);
}
Int_t TProof::GetParameter(TCollection *c, const char *par, Long_t &value)
{
   return GetTypedParameter(c, par, value);
}
Int_t TProof::GetParameter(TCollection *c, const char *par, Long64_t &value)
{
   return GetTypedParameter(c, par, value);
}
Int_t TProof::GetParameter(TCollection *c, const char *par, Double_t &value)
{
   return GetTypedParameter(c, par, value);
}

TObject *TProof::GetOutput(const char *name)
{
   return fOutput->FindObject(name);
}

void TProof::AddInputData(TObject *obj, Bool_t)
{
   if (obj) fInputData->Add(obj);
}

void TProof::SetInputDataFile(const char *datafile)
{
   fInputDataFile = datafile ? datafile : "";
}

void TProof::ClearInputData(TObject *obj)
{
   if (obj) fInputData->Remove(obj);
   else {
      fInputData->Clear("nodelete");
      fInputDataFile = "";
   }
}

void TProof::ClearInputData(const char *name)
{
   if (TObject *o = fInputData->FindObject(name)) fInputData->Remove(o);
}

void TProof::ArchiveOutput()
{
   // The previous query's objects stay reachable through its TQueryResult.
   // (Unless Remove() dropped the query that owned the current output list.)
   auto *last = (TQueryResult *)fQueries->Last();
   if (last && last->GetOutputList() == fOutput) last->AdoptOutput(fOutput);
   else fOutput->Delete();
}

void TProof::AddQueryResult(TQueryResult *qr)
{
   qr->SetOutputList(fOutput);
   fQueries->Add(qr);
}

TQueryResult *TProof::GetQueryResult(const char *ref)
{
   if (!ref || !*ref) return (TQueryResult *)fQueries->Last();
   TString r(ref);
   TIter next(fQueries);
   while (auto *qr = (TQueryResult *)next()) {
      // PROOF's references: the query's name ("q3"), "<session>:<name>" (its title) or its number;
      // another session's reference matches nothing.
      if (r == qr->GetName() || r == qr->GetTitle() || r == TString::Format("%d", qr->GetSeqNum()))
         return qr;
   }
   return nullptr;
}

void TProof::ShowQueries(Option_t *opt)
{
   TIter next(fQueries);
   while (TObject *qr = next()) qr->Print(opt);
}

void TProof::AddSlaveInfo(const char *ordinal, const char *host, Int_t status, const char *datadir)
{
   auto *si = new TSlaveInfo(ordinal, host, 100, "", datadir);
   si->SetStatus((TSlaveInfo::ESlaveStatus)status);
   SysInfo_t sys;   // the hardware of this host: known for workers running here
   if (TString(host) == gSystem->HostName() && gSystem->GetSysInfo(&sys) == 0) si->SetSysInfo(sys);
   fSlaveInfo->Add(si);
}

TList *TProof::GetListOfSlaveInfos()
{
   fSlaveInfo->Delete();
   if (fValid) ProofShim::CallHook(this, "SlaveInfos", "", 0);
   return fSlaveInfo;
}

Int_t TProof::Exec(const char *cmd, Bool_t)
{
   if (!fValid) return -1;
   return (Int_t)ProofShim::CallHook(this, "Exec", cmd, 0);
}

Bool_t TProof::RegisterDataSet(const char *name, TFileCollection *dataset, const char *optStr)
{
   return ProofShim::ObjectHook(this, "RegisterDataSet", TString::Format("%s\n%s", name, optStr ? optStr : ""),
                                dataset) != nullptr;
}

Bool_t TProof::ExistsDataSet(const char *dataset)
{
   return ProofShim::CallHook(this, "ExistsDataSet", dataset, 0) == 1;
}

TFileCollection *TProof::GetDataSet(const char *dataset, const char *)
{
   return dynamic_cast<TFileCollection *>(ProofShim::ObjectHook(this, "GetDataSet", dataset));
}

void TProof::ShowDataSets(const char *uri, const char *)
{
   ProofShim::CallHook(this, "ShowDataSets", uri, 0);
}

Int_t TProof::RemoveDataSet(const char *dataset, const char *)
{
   return (Int_t)ProofShim::CallHook(this, "RemoveDataSet", dataset, 0);
}

Int_t TProof::Load(const char *macro, Bool_t notOnClient, Bool_t, TList *)
{
   if (!fValid) return -1;
   return (Int_t)ProofShim::CallHook(this, "Load", macro, notOnClient ? 1 : 0);
}

// Packages: Python does the work (proofshim/packages.py); these only forward.
Int_t TProof::UploadPackage(const char *par, EUploadPackageOpt opt, TList *)
{
   if (!fValid) return -1;
   return (Int_t)ProofShim::CallHook(this, "UploadPackage", par, opt);
}

Int_t TProof::EnablePackage(const char *package, Bool_t notOnClient, TList *)
{
   return EnablePackage(package, (TList *)nullptr, notOnClient);
}

Int_t TProof::EnablePackage(const char *package, const char *loadopts, Bool_t notOnClient, TList *)
{
   // As PROOF did: a string option travels as the first TObjString of the options list.
   TList opts;
   opts.SetOwner(kTRUE);
   if (loadopts && *loadopts) opts.Add(new TObjString(loadopts));
   return EnablePackage(package, opts.GetSize() ? &opts : nullptr, notOnClient);
}

Int_t TProof::EnablePackage(const char *package, TList *loadopts, Bool_t notOnClient, TList *)
{
   if (!fValid) return -1;
   // The hook carries a string and an integer only: the options list is read back by Python.
   fPackageOpts = loadopts;
   Int_t rc = (Int_t)ProofShim::CallHook(this, "EnablePackage", package, notOnClient ? 1 : 0);
   fPackageOpts = nullptr;
   return rc;
}

Int_t TProof::ClearPackage(const char *package)
{
   if (!fValid) return -1;
   return (Int_t)ProofShim::CallHook(this, "ClearPackage", package, 0);
}

Int_t TProof::ClearPackages()
{
   if (!fValid) return -1;
   return (Int_t)ProofShim::CallHook(this, "ClearPackages", "", 0);
}

void TProof::ShowPackages(Bool_t all, Bool_t)
{
   if (fValid) ProofShim::CallHook(this, "ShowPackages", "", all ? 1 : 0);
}

void TProof::ShowEnabledPackages(Bool_t all)
{
   if (fValid) ProofShim::CallHook(this, "ShowEnabledPackages", "", all ? 1 : 0);
}

void TProof::AddPackageName(const char *name)
{
   fPackageNames->Add(new TObjString(name));
}

TList *TProof::GetListOfPackages()
{
   fPackageNames->Delete();
   if (fValid) ProofShim::CallHook(this, "ListPackages", "", 0);
   return fPackageNames;
}

TList *TProof::GetListOfEnabledPackages()
{
   fPackageNames->Delete();
   if (fValid) ProofShim::CallHook(this, "ListPackages", "", 1);
   return fPackageNames;
}

static TList *EnvVars()
{
   static TList *vars = nullptr;
   if (!vars) {
      vars = new TList;
      vars->SetOwner(kTRUE);
   }
   return vars;
}

void TProof::AddEnvVar(const char *name, const char *value)
{
   DelEnvVar(name);
   EnvVars()->Add(new TNamed(name, value ? value : ""));
}

void TProof::DelEnvVar(const char *name)
{
   if (TObject *o = EnvVars()->FindObject(name)) {
      EnvVars()->Remove(o);
      delete o;
   }
}

const TList *TProof::GetEnvVars()
{
   return EnvVars();
}

void TProof::ResetEnvVars()
{
   EnvVars()->Delete();
}

// =====================================================================================
// logs: what the workers printed. Python collects and keeps them (proofshim/logs.py); these
// forward (TProofLog.cxx presents them as PROOF did).

void TProof::ShowLog(Int_t qry)
{
   if (fValid) ProofShim::CallHook(this, "ShowLog", "", qry);
}

void TProof::ShowLog(const char *queryref)
{
   if (fValid) ProofShim::CallHook(this, "ShowLogRef", queryref ? queryref : "", 0);
}

TMacro *TProof::GetLastLog()
{
   if (!fValid) return nullptr;
   return dynamic_cast<TMacro *>(ProofShim::ObjectHook(this, "GetLastLog", ""));
}

void TProof::GetLog(Int_t start, Int_t end)
{
   if (!fValid) return;
   if (!fMacroLog) {
      fMacroLog = new TMacro;
      fMacroLog->SetNameTitle("ProofLog", "lines fetched by TProof::GetLog");
   }
   ProofShim::ObjectHook(this, "GetLog", TString::Format("%d %d", start, end), fMacroLog);
}

void TProof::PutLog(TQueryResult *qr)
{
   if (!qr || !qr->GetLogFile() || !qr->GetLogFile()->GetListOfLines()) return;
   TIter next(qr->GetLogFile()->GetListOfLines());
   while (TObject *line = next()) LogMessage(line->GetName(), kFALSE);
}

void TProof::LogMessage(const char *msg, Bool_t all)
{
   EmitVA("LogMessage(const char*,Bool_t)", 2, msg, all);
}

TProofMgr *TProof::Mgr(const char *url)
{
   // The manager of an open session with this URL (or of gProof); the caller does not own it.
   TString u(url ? url : "");
   TIter next(ProofShim::ListOfProofs());
   while (TObject *o = next()) {
      auto *p = dynamic_cast<TProof *>(o);
      if (p && p->IsValid() && (u == p->GetUrl() || u.IsNull())) return p->GetManager();
   }
   if (gProof && gProof->IsValid()) return gProof->GetManager();
   static TProofMgr *unbound = nullptr;   // no session yet: CreateSession() opens one
   if (!unbound) unbound = new TProofMgr(u);
   return unbound;
}
