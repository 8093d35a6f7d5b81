// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// TProofLog and TProofLogElem.

// =====================================================================================
// logs: what the workers printed. Python collects and keeps them (proofshim/logs.py);
// TProofLog/TProofLogElem present them as PROOF did.

void ProofShim::AddLines(TMacro *macro, const char *text)
{
   if (!macro || !text) return;
   const char *p = text;
   while (*p) {
      const char *nl = strchr(p, '\n');
      if (!nl) {
         macro->AddLine(p);
         break;
      }
      macro->AddLine(TString(p, nl - p));
      p = nl + 1;
   }
}

Long64_t TProofLogElem::fgMaxTransferSize = 100000;

TProofLog::TProofLog(const char *stag, const char *url, TProofMgr *mgr)
   : TNamed(stag, url), fMgr(mgr)
{
   SetLogToBox(kFALSE);
   fElem = new TList;
   fElem->SetOwner(kTRUE);
}

TProofLog::~TProofLog()
{
   delete fElem;
}

TProofLogElem *TProofLog::AddElem(const char *ord, const char *path, const char *text)
{
   auto *e = new TProofLogElem(ord, path, this);
   ProofShim::AddLines(e->GetMacro(), text);
   fElem->Add(e);
   return e;
}

void TProofLog::Prt(const char *what)
{
   if (!what) return;
   if (LogToBox()) {
      EmitVA("Prt(const char*)", 1, what);
      return;
   }
   FILE *out = fFILE ? (FILE *)fFILE : stderr;
   fprintf(out, "%s\n", what);
}

static void LogBanner(TProofLog *log, const char *what)
{
   log->Prt(TString::Format("\n// --------- %s --------", what));
   log->Prt(TString::Format("// Server: %s", log->GetTitle()));
   log->Prt(TString::Format("// Session: %s", log->GetName()));
   log->Prt(TString::Format("// # of elements: %d", log->GetListOfLogs()->GetSize()));
}

void TProofLog::Display(const char *ord, Int_t from, Int_t to)
{
   Bool_t all = !ord || ord[0] == '*';
   if (all) {
      LogBanner(this, "Displaying PROOF Session logs");
      Prt("// ------------------------------------------------\n");
   }
   TIter next(fElem);
   while (auto *e = (TProofLogElem *)next())
      if (all || !strcmp(ord, e->GetName())) e->Display(from, to);
   if (all) Prt("// --------- End of PROOF Session logs ---------");
}

Int_t TProofLog::Grep(const char *txt, Int_t from)
{
   if (!txt || !*txt) {
      Warning("Grep", "no text to search for given");
      return -1;
   }
   LogBanner(this, "Search in PROOF Session logs");
   Prt(TString::Format("// Text searched for: \"%s\"", txt));
   Prt("// ------------------------------------------------");
   TIter next(fElem);
   while (auto *e = (TProofLogElem *)next()) {
      TString res;
      if (e->Grep(txt, res, from) > 0) Prt(TString::Format("// Ord: %s - line(s): %s", e->GetName(), res.Data()));
   }
   Prt("// ------------------------------------------------");
   return 0;
}

void TProofLog::Print(Option_t *opt) const
{
   fprintf(stderr, "// --------- PROOF Session logs object --------\n");
   fprintf(stderr, "// Server: %s\n// Session: %s\n// # of elements: %d\n", GetTitle(), GetName(),
           fElem->GetSize());
   TIter next(fElem);
   while (TObject *e = next()) e->Print(opt);
   fprintf(stderr, "// --------------------------------------------\n");
}

Int_t TProofLog::Retrieve(const char *ord, TProofLog::ERetrieveOpt opt, const char *fname, const char *pattern)
{
   if (opt == kGrep && (!pattern || !*pattern)) {
      Error("Retrieve", "option 'Grep' requires a pattern");
      return -1;
   }
   // The logs are already here (collected after each query); only saving is left to do.
   if (fname) return Save(ord, fname);
   return 0;
}

Int_t TProofLog::Save(const char *ord, const char *fname, Option_t *opt)
{
   if (!fname || !*fname) {
      Warning("Save", "no file name given: nothing saved");
      return -1;
   }
   TString o(opt ? opt : "");
   o.ToLower();
   FILE *out = fopen(fname, o.Contains("a") ? "a" : "w");
   if (!out) {
      Error("Save", "cannot open '%s' for writing", fname);
      return -1;
   }
   Bool_t box = LogToBox();
   SetLogToBox(kFALSE);
   fFILE = out;
   Display(ord, 0, -1);
   fFILE = nullptr;
   SetLogToBox(box);
   fclose(out);
   return 0;
}

void TProofLog::SetMaxTransferSize(Long64_t maxsz)
{
   TProofLogElem::SetMaxTransferSize(maxsz);
}

TProofLogElem::TProofLogElem(const char *ord, const char *url, TProofLog *logger)
   : TNamed(ord, url), fLogger(logger), fMacro(new TMacro)
{
   fMacro->SetNameTitle(ord, url);
}

TProofLogElem::~TProofLogElem()
{
   delete fMacro;
}

void TProofLogElem::Prt(const char *what)
{
   if (fLogger) fLogger->Prt(what);
   else fprintf(stderr, "%s\n", what);
}

void TProofLogElem::Display(Int_t from, Int_t to)
{
   TList *lines = fMacro->GetListOfLines();
   Int_t n = lines ? lines->GetSize() : 0;
   Int_t first = 0, last = n;   // [first, last)
   if (from < 0) {
      first = -from <= n ? n + from : 0;
   } else {
      if (from > 1) first = from <= n ? from - 1 : n;
      if (to > -1 && to < n) last = to;
   }
   Prt("// --------- Start of element log -----------------");
   Prt(TString::Format("// Ordinal: %s (role: worker)", GetName()));
   Prt(TString::Format("// Path: %s", GetTitle()));
   if (first > 0 || last < n) Prt(TString::Format("// # of retrieved lines: %d (displaying lines: %d -> %d)", n, first + 1, last));
   else Prt(TString::Format("// # of retrieved lines: %d", n));
   Prt("// ------------------------------------------------");
   for (Int_t i = first; i < last; ++i) Prt(lines->At(i)->GetName());
   Prt("// --------- End of element log -------------------\n");
}

Int_t TProofLogElem::Grep(const char *txt, TString &res, Int_t from)
{
   TList *lines = fMacro->GetListOfLines();
   Int_t n = lines ? lines->GetSize() : 0, found = 0;
   for (Int_t i = from > 0 ? from - 1 : 0; i < n; ++i) {
      if (!strstr(lines->At(i)->GetName(), txt)) continue;
      if (res.Length()) res += " ";
      res += i + 1;
      ++found;
   }
   return found;
}

void TProofLogElem::Print(Option_t *) const
{
   TList *lines = fMacro->GetListOfLines();
   fprintf(stderr, "Ord: %s Path: %s Role: worker lines: %d\n", GetName(), GetTitle(),
           lines ? lines->GetSize() : 0);
}

Int_t TProofLogElem::Retrieve(TProofLog::ERetrieveOpt, const char *)
{
   return 0;   // collected after each query already
}
