// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// TProofOutputFile.

// =====================================================================================
// TProofOutputFile: where a part is written on its worker, and the collection of the parts on
// the client. Fetching, merging and data set creation are done by proofshim/outputfile.py.

TString TProofOutputFile::fgPartSubdir;

TProofOutputFile::TProofOutputFile(const char *path, const char *option, const char *dsname) : TNamed(path, "")
{
   // Option letters as PROOF read them: "" means "M"; "L" (or "LOCAL") asks for local copies before
   // merging; "D" without "M" creates a data set, with "R" register, "O" overwrite, "V" verify.
   TString opt(option ? option : "");
   if (opt.Contains("L")) fTypeOpt = kLocal;
   if (opt.Contains("D") && !opt.Contains("M")) {
      fRunType = kDataset;
      fTypeOpt = kCreate;
      if (opt.Contains("R")) fTypeOpt |= kRegister;
      if (opt.Contains("O")) fTypeOpt |= kOverwrite;
      if (opt.Contains("V")) fTypeOpt |= kVerify;
   }
   Init(path, dsname);
}

TProofOutputFile::TProofOutputFile(const char *path, ERunType type, UInt_t opt, const char *dsname)
   : TNamed(path, ""), fRunType(type), fTypeOpt(opt)
{
   Init(path, dsname);
}

TProofOutputFile::~TProofOutputFile()
{
   delete fMerger;
   delete fDataSet;
   if (fParts) {
      fParts->SetOwner(kTRUE);
      delete fParts;
   }
}

// Strip the leading "./", "../" and "~/" of a relative directory: like PROOF, such directories are
// rooted in the worker's data directory (the client's working directory outside PROOF).
static TString RelativeRest(TString dir)
{
   for (Bool_t again = kTRUE; again;) {
      again = kFALSE;
      for (const char *pfx : {"../", "./", "~/"}) {
         if (dir.BeginsWith(pfx)) {
            dir.Remove(0, strlen(pfx));
            again = kTRUE;
         }
      }
   }
   if (dir == "." || dir == ".." || dir == "~") dir = "";
   return dir;
}

void TProofOutputFile::Init(const char *path, const char *dsname)
{
   TUrl url(path, kTRUE);
   TString file = url.GetFile();
   fFileName = gSystem->BaseName(file);
   SetName(fFileName);
   SetTitle(dsname && *dsname ? dsname : fFileName.Data());
   fOptionsAnchor = "";
   if (url.GetOptions() && *url.GetOptions()) fOptionsAnchor += TString::Format("?%s", url.GetOptions());
   if (url.GetAnchor() && *url.GetAnchor()) fOptionsAnchor += TString::Format("#%s", url.GetAnchor());
   // The directory part, by hand: TSystem::GetDirName("x/f.root") gives "." for one-letter names.
   TString dir = file.Last('/') == kNPOS ? TString("") : TString(file(0, file.Last('/')));
   if (dir.IsNull() && file.BeginsWith("/")) dir = "/";
   fLocalHost = gSystem->HostName();
   fWorkerOrdinal = gProofServ ? gProofServ->GetOrdinal() : "";
   // Workers must not overwrite each other's parts, nor a worker its part of an earlier query or
   // slot: a directory the user chose gets the ordinal and proofshim's per-slot subdirectory.
   TString unique;
   if (gProofServ) {
      TString ordinal = gProofServ->GetOrdinal();
      if (!dir.Contains(ordinal)) unique = ordinal;
      if (fgPartSubdir.Length()) unique += (unique.IsNull() ? "" : "/") + fgPartSubdir;
   }

   if (strcmp(url.GetProtocol(), "file") != 0) {
      // A remote destination (root://...): the part is written there directly.
      fIsLocal = kFALSE;
      TUrl d(url);
      d.SetFile(unique.IsNull() ? dir : dir + "/" + unique);
      d.SetOptions("");
      d.SetAnchor("");
      fDir = fRawDir = d.GetUrl();
   } else {
      fIsLocal = kTRUE;
      TString base = gProofServ ? TString(gProofServ->GetDataDir()) : TString(gSystem->WorkingDirectory());
      TString raw;
      if (gSystem->IsAbsoluteFileName(dir)) {
         raw = dir;
         if (AssertDir(raw) != 0 || gSystem->AccessPathName(raw, kWritePermission)) {
            Warning("Init", "cannot create files under '%s': using '%s%s' instead", raw.Data(), base.Data(),
                    raw.Data());
            raw.Insert(0, base);
         }
         if (!unique.IsNull()) raw += "/" + unique;
      } else {
         TString rest = RelativeRest(dir);
         raw = base;
         if (!rest.IsNull()) raw += "/" + rest;
         // The data dir is the worker's own: only the per-slot subdirectory is needed there.
         if (gProofServ && fgPartSubdir.Length()) raw += "/" + fgPartSubdir;
      }
      if (AssertDir(raw) != 0) Error("Init", "cannot create the directory '%s'", raw.Data());
      fDir = fRawDir = raw;
   }
   // PROOF's default destination is the file's name: proofshim puts it in the client's working
   // directory when merging (SetOutputFileName overrides).
   fOutputFileName = fFileName;
   if (!fOutputFileName.EndsWith(".root")) fOutputFileName += ".root";
   ResetBit(kOutputFileNameSet);
}

void TProofOutputFile::SetOutputFileName(const char *name)
{
   fOutputFileName = name ? name : "";
   fOutputFileName.ReplaceAll("<file>", fFileName);
   SetBit(kOutputFileNameSet);
}

TFile *TProofOutputFile::OpenFile(const char *opt)
{
   if (fFileName.IsNull()) {
      Error("OpenFile", "no file name (object made with the default constructor?)");
      return nullptr;
   }
   if (fIsLocal && AssertDir(fRawDir) != 0) {
      Error("OpenFile", "cannot create the directory '%s' for '%s'", fRawDir.Data(), fFileName.Data());
      return nullptr;
   }
   TString where = TString::Format("%s/%s%s", fRawDir.Data(), fFileName.Data(), fOptionsAnchor.Data());
   return TFile::Open(where, opt);
}

Int_t TProofOutputFile::AdoptFile(TFile *f)
{
   if (!f || f->IsZombie()) return -1;
   TUrl u(*f->GetEndpointUrl());
   fIsLocal = !strcmp(u.GetProtocol(), "file");
   TString file = fIsLocal ? TString(u.GetFile()) : TString(u.GetUrl());
   fFileName = gSystem->BaseName(TUrl(file, kTRUE).GetFile());
   fDir = file;
   fDir.Remove(fDir.Last('/') == kNPOS ? 0 : fDir.Last('/'));
   if (fIsLocal && fDir.IsNull()) fDir = gSystem->WorkingDirectory();
   fRawDir = fDir;
   return 0;
}

void TProofOutputFile::AddPart(const char *host, const char *path)
{
   if (!fParts) {
      fParts = new TList;
      fParts->SetOwner(kTRUE);
   }
   fParts->Add(new TNamed(host, path));
}

Long64_t TProofOutputFile::Merge(TCollection *list)
{
   // Only collects the other workers' parts (and those they collected): the files are fetched and
   // merged, or listed, by proofshim once every output list has arrived on the client.
   if (!list) return 0;
   Long64_t n = 0;
   TIter next(list);
   while (TObject *obj = next()) {
      auto *other = dynamic_cast<TProofOutputFile *>(obj);
      if (!other || other == this) continue;
      AddPart(other->fLocalHost, TString::Format("%s/%s", other->fDir.Data(), other->fFileName.Data()));
      if (other->fParts) {
         TIter np(other->fParts);
         while (TObject *p = np()) AddPart(p->GetName(), p->GetTitle());
      }
      ++n;
   }
   fMerged = kTRUE;
   return n;
}

void TProofOutputFile::Print(Option_t *) const
{
   Info("Print", "-- %s (worker %s, host %s)", GetName(), fWorkerOrdinal.Data(), fLocalHost.Data());
   Info("Print", " dir:              %s", fDir.Data());
   Info("Print", " raw dir:          %s", fRawDir.Data());
   Info("Print", " file name:        %s%s", fFileName.Data(), fOptionsAnchor.Data());
   if (IsMerge()) {
      Info("Print", " run type:         merge into one file (%s)", fTypeOpt & kLocal ? "local copies" : "remote parts");
   } else {
      TString opt;
      if (fTypeOpt & kRegister) opt += "R";
      if (fTypeOpt & kOverwrite) opt += "O";
      if (fTypeOpt & kVerify) opt += "V";
      Info("Print", " run type:         data set '%s' (options '%s')", GetTitle(), opt.Data());
   }
   Info("Print", " output file name: %s", fOutputFileName.Data());
   Info("Print", " parts collected:  %d", fParts ? fParts->GetSize() + 1 : 1);
}

TFileCollection *TProofOutputFile::GetFileCollection()
{
   if (!fDataSet) fDataSet = new TFileCollection(GetTitle());
   return fDataSet;
}

TFileMerger *TProofOutputFile::GetFileMerger(Bool_t local)
{
   if (!fMerger) fMerger = new TFileMerger(local);
   return fMerger;
}

Int_t TProofOutputFile::AssertDir(const char *dirpath)
{
   if (!dirpath || !*dirpath) return -1;
   if (!gSystem->AccessPathName(dirpath)) return 0;
   return gSystem->mkdir(dirpath, kTRUE) == 0 ? 0 : -1;
}
