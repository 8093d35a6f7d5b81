// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// the worker's event loop (ProofShim::Runner) and the files' entry counts and key lists.

// =====================================================================================
// the worker's event loop

namespace ProofShim {

Runner::Runner(TSelector *sel, TList *input, const char *option) : fSelector(sel), fInput(input), fOption(option)
{
   if (fInput) fInput->SetOwner(kTRUE);
}

Runner::~Runner()
{
   CloseFile();
   delete fSelector;
   if (fCurrentElement) {
      // TList::Remove(TObject*) matches with IsEqual, which a TPair forwards to its key: unlink by address.
      for (TObjLink *lnk = fInput->FirstLink(); lnk; lnk = lnk->Next()) {
         if (lnk->GetObject() == fCurrentElement) {
            fInput->Remove(lnk);
            break;
         }
      }
      delete fCurrentElement->Key();
      delete fCurrentElement->Value();
      delete fCurrentElement;
   }
   delete fInput;
}

// PROOF's player put the packet's TDSetElement in the input list, as the value of a TPair keyed
// "PROOF_CurrentElement"; selectors look it up in Process to know the file and range being read.
void Runner::SetCurrentElement(const char *file, const char *objname, const char *dir, Long64_t first,
                               Long64_t num)
{
   auto *elem = new TDSetElement(file, objname, dir, first, num);
   elem->SetBit(TDSetElement::kNewPacket);
   if (!fCurrentElement) {
      fCurrentElement = new TPair(new TObjString("PROOF_CurrentElement"), elem);
      fInput->Add(fCurrentElement);
      return;
   }
   TObject *old = fCurrentElement->Value();
   fCurrentElement->SetValue(elem);
   delete old;
}

void Runner::CloseFile()
{
   // TSelectorDraw fills what it buffered from its tree's state: let it finish while the tree exists.
   if (auto *draw = dynamic_cast<DrawSelector *>(fSelector)) draw->TreeClosing();
   // The last object read goes before its file: a histogram read from it belongs to the file too.
   if (fObject) {
      if (fSelector) fSelector->SetObject(nullptr);
      delete fObject;
      fObject = nullptr;
   }
   fKeys.clear();
   fObjDir = nullptr;
   fTree = nullptr;
   fFriendFiles.SetOwner(kTRUE);
   fFriendFiles.Delete();
   if (fFile) {
      fFile->Close();
      delete fFile;
      fFile = nullptr;
   }
   fFileName = fTreeName = fDirName = "";
}

Int_t Runner::Begin()
{
   fSelector->SetInputList(fInput);
   fSelector->SetOption(fOption);
   try {
      if (fSelector->Version() == 0) fSelector->Begin(nullptr);
      else fSelector->SlaveBegin(nullptr);
   } catch (std::exception &e) {
      fError.Form("C++ exception in %s::%s: %s", fSelector->ClassName(),
                  fSelector->Version() == 0 ? "Begin" : "SlaveBegin", e.what());
      return kError;
   } catch (...) {
      fError.Form("unknown C++ exception in %s::%s", fSelector->ClassName(),
                  fSelector->Version() == 0 ? "Begin" : "SlaveBegin");
      return kError;
   }
   fBegun = kTRUE;
   return fSelector->GetAbort() == TSelector::kAbortProcess ? kAbortedProcess : kOk;
}

Int_t Runner::OpenTree(const char *file, const char *dir, const char *tree, Bool_t &fresh)
{
   fresh = kFALSE;
   if (fTree && fFileName == file && fTreeName == tree && fDirName == dir && fFriendsOpened == fFriends) return 0;
   fresh = kTRUE;
   CloseFile();
   {
      // Keep gDirectory where it was: objects the selector creates later must not end up owned by
      // (and deleted with) the input file.
      TDirectory::TContext ctx;
      fFile = TFile::Open(file, "READ");
   }
   if (!fFile || fFile->IsZombie()) {
      fError.Form("cannot open file '%s'", file);
      delete fFile;
      fFile = nullptr;
      return kDataError;
   }
   TDirectory *d = fFile;
   if (dir && *dir && strcmp(dir, "/") != 0) {
      d = fFile->GetDirectory(dir);
      if (!d) {
         fError.Form("directory '%s' not found in file '%s'", dir, file);
         CloseFile();
         return kDataError;
      }
   }
   TTree *t = nullptr;
   d->GetObject(tree, t);
   if (!t) {
      fError.Form("tree '%s' not found in file '%s'", tree, file);
      CloseFile();
      return kDataError;
   }
   fTree = t;
   if (AttachFriends() != 0) {
      CloseFile();
      return kDataError;
   }
   fFileName = file;
   fTreeName = tree;
   fDirName = dir;
   if (!fUseTreeCache) fTree->SetCacheSize(0);
   else if (fCacheSize >= 0) fTree->SetCacheSize(fCacheSize);
   // Once per file, not per packet: bounding each packet's range cost ~15% on large files.
   if (fUseTreeCache && fCacheEnd >= 0) fTree->SetCacheEntryRange(fCacheFirst, fCacheEnd);
   return 0;
}

Int_t Runner::InitTree()
{
   TString tree = fTreeName, file = fFileName;
   try {
      fSelector->Init(fTree);
      fSelector->Notify();
   } catch (std::exception &e) {
      fError.Form("C++ exception in %s::Init/Notify for tree '%s' of '%s': %s", fSelector->ClassName(), tree.Data(),
                  file.Data(), e.what());
      CloseFile();   // the next packet of this file must not skip Init
      return kError;
   } catch (...) {
      fError.Form("unknown C++ exception in %s::Init/Notify for tree '%s' of '%s'", fSelector->ClassName(),
                  tree.Data(), file.Data());
      CloseFile();
      return kError;
   }
   ++fInitCalls;
   return 0;
}

Int_t Runner::AttachFriends()
{
   fFriendsOpened = fFriends;
   TObjArray *lines = fFriends.Tokenize("\n");
   Int_t rc = 0;
   for (TObject *l : *lines) {
      TObjArray *f = TString(l->GetName()).Tokenize("\t");
      if (f->GetEntriesFast() < 3) {
         delete f;
         continue;
      }
      const char *alias = f->At(0)->GetName(), *file = f->At(1)->GetName(), *tname = f->At(2)->GetName();
      TFile *ff = nullptr;
      {
         TDirectory::TContext ctx;
         ff = TFile::Open(file, "READ");
      }
      TTree *ft = nullptr;
      if (ff && !ff->IsZombie()) ff->GetObject(tname, ft);
      if (!ft) {
         fError.Form("friend tree '%s' not found in file '%s'", tname, file);
         delete ff;
         delete f;
         rc = -1;
         break;
      }
      fFriendFiles.Add(ff);
      fTree->AddFriend(ft, alias);
      delete f;
   }
   delete lines;
   return rc;
}

Int_t Runner::Loop(Long64_t first, Long64_t num, const Long64_t *entries)
{
   // No SetCacheEntryRange per packet: measured on the reference data set (benchmarks/), limiting
   // the cache to each packet's range cost ~15% (4.9 s vs 4.2 s) for local files.
   Long64_t bytes0 = TFile::GetFileBytesRead();
   const bool v0 = fSelector->Version() == 0;
   Int_t rc = kOk;
   Long64_t entry = first;
   try {
      for (Long64_t pos = first; pos < first + num; ++pos) {
         if (fStop.load(std::memory_order_relaxed)) {
            rc = kStopped;
            break;
         }
         entry = entries ? entries[pos] : pos;
         fLastEntry.store(entry, std::memory_order_relaxed);
         if (fKeyPos) ReadObjectAt(pos);
         if (v0) {
            if (fSelector->ProcessCut(entry)) fSelector->ProcessFill(entry);
         } else {
            fSelector->Process(entry);
         }
         // Not an atomic increment (a locked instruction per entry): only this thread writes it.
         fProcessed.store(fProcessed.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
         TSelector::EAbort ab = fSelector->GetAbort();
         if (ab == TSelector::kAbortProcess) {
            rc = kAbortedProcess;
            break;
         }
         if (ab == TSelector::kAbortFile) {
            fSelector->ResetAbort();
            rc = kAbortedFile;
            break;
         }
      }
   } catch (std::exception &e) {
      fError.Form("C++ exception in %s::%s(%lld): %s", fSelector->ClassName(),
                  v0 ? "ProcessCut/ProcessFill" : "Process", entry, e.what());
      rc = kError;
   } catch (...) {
      fError.Form("unknown C++ exception in %s::%s(%lld)", fSelector->ClassName(),
                  v0 ? "ProcessCut/ProcessFill" : "Process", entry);
      rc = kError;
   }
   fBytesRead += TFile::GetFileBytesRead() - bytes0;
   return rc;
}

Int_t Runner::RunTreePacket(const char *file, const char *dir, const char *tree, Long64_t first, Long64_t num,
                            Bool_t upToEnd)
{
   fError = "";
   fLastEntry = -1;
   fTreeEntries = -1;
   Bool_t fresh = kFALSE;
   Int_t opened;
   {
      // A file not counted before is opened here for the first time: as when counting first,
      // ROOT's own messages about a file that cannot be read stay off (the client reports it once).
      const Int_t level = gErrorIgnoreLevel;
      if (upToEnd) gErrorIgnoreLevel = kFatal;
      opened = OpenTree(file, dir, tree, fresh);
      if (upToEnd) gErrorIgnoreLevel = level;
   }
   if (opened) {
      SetCurrentElement(file, tree, dir, first, num);
      return opened;
   }
   if (upToEnd) {
      // A file not counted before: its entries are known now that it is open.
      num = std::max<Long64_t>(0, std::min(num, fTree->GetEntries() - first));
      if (num == 0 && fresh) {
         // Nothing of it to process: PROOF never showed the selector such a file (no Init/Notify).
         fTreeEntries = fTree->GetEntries();
         CloseFile();
         return kOk;
      }
   }
   fTreeEntries = fTree->GetEntries();
   // The packet's element describes the range processed (counted first for a file not counted before),
   // already while Init and Notify run for a new file.
   SetCurrentElement(file, tree, dir, first, num);
   if (fresh)
      if (Int_t rc = InitTree()) return rc;
   return Loop(first, num);
}

Int_t Runner::RunTreePieces(const char *pieces, Long64_t *out)
{
   fPiecesRun = 0;
   fPieceErrors = "";
   Int_t rc = kOk;
   TString all(pieces);
   Ssiz_t from = 0;
   TString line;
   for (Int_t i = 0; all.Tokenize(line, from, "\n"); ++i) {
      // file \t directory \t tree \t first \t num \t probe [\t queryfirst \t queryend]
      TString field[8];
      Ssiz_t pos = 0;
      for (auto &f : field) line.Tokenize(f, pos, "\t");
      fCacheFirst = field[6].IsNull() ? 0 : field[6].Atoll();
      fCacheEnd = field[7].IsNull() ? -1 : field[7].Atoll();
      Long64_t *res = out + kPieceFields * i;
      const Long64_t processed0 = GetProcessed(), bytes0 = fBytesRead;
      timespec cpu0;
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
      const auto wall0 = std::chrono::steady_clock::now();
      res[3] = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::system_clock::now().time_since_epoch()).count();
      rc = RunTreePacket(field[0], field[1] == "." ? "" : field[1].Data(), field[2], field[3].Atoll(),
                         field[4].Atoll(), field[5] == "1");
      fCacheFirst = 0;
      fCacheEnd = -1;
      timespec cpu1;
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
      res[0] = rc;
      res[1] = GetProcessed() - processed0;
      res[2] = GetLastEntry();
      res[4] = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - wall0).count();
      res[5] = (cpu1.tv_sec - cpu0.tv_sec) * 1000000000LL + (cpu1.tv_nsec - cpu0.tv_nsec);
      res[6] = fBytesRead - bytes0;
      res[7] = fTreeEntries;
      fPiecesRun = i + 1;
      if (rc == kDataError || rc == kAbortedFile) {
         // The file ends here (unreadable, or the selector skipped its rest): on with the next one.
         fPieceErrors += TString::Format("%d\t%s\n", i, fError.Data());
         rc = kOk;
         continue;
      }
      if (rc != kOk) break;
   }
   return rc;
}

Int_t Runner::RunListPacket(const char *file, const char *dir, const char *tree, const Long64_t *entries,
                            Long64_t first, Long64_t num)
{
   fError = "";
   fLastEntry = -1;
   SetCurrentElement(file, tree, dir, num > 0 ? entries[first] : 0, num);
   Bool_t fresh = kFALSE;
   if (Int_t rc = OpenTree(file, dir, tree, fresh)) return rc;
   if (fresh)
      if (Int_t rc = InitTree()) return rc;
   return Loop(first, num, entries);
}

Int_t Runner::OpenObjectDir(const char *file, const char *dir)
{
   if (fObjDir && fFileName == file && fDirName == dir) return 0;
   CloseFile();
   {
      TDirectory::TContext ctx;
      fFile = TFile::Open(file, "READ");
   }
   if (!fFile || fFile->IsZombie()) {
      fError.Form("cannot open file '%s'", file);
      delete fFile;
      fFile = nullptr;
      return -1;
   }
   TDirectory *d = fFile;
   if (dir && *dir && strcmp(dir, "/") != 0) d = fFile->GetDirectory(dir);
   if (!d) {
      fError.Form("directory '%s' not found in file '%s'", dir, file);
      CloseFile();
      return -1;
   }
   TIter next(d->GetListOfKeys());
   while (TKey *k = (TKey *)next()) fKeys.push_back(k);
   fObjDir = d;
   fFileName = file;
   fDirName = dir;
   return 0;
}

void Runner::ReadObjectAt(Long64_t pos)
{
   // PROOF's TEventIterObj never deleted the objects it handed out; here an object lives until
   // the next one is read (or its file is closed), so memory stays flat over large files.
   if (fObject) {
      fSelector->SetObject(nullptr);
      delete fObject;
      fObject = nullptr;
   }
   const Long64_t k = fKeyPos[pos];
   if (k < 0 || k >= (Long64_t)fKeys.size())
      throw std::runtime_error(Form("object %lld: key position %lld is outside the %zu keys of '%s'", pos, k,
                                    fKeys.size(), fFileName.Data()));
   {
      // Objects that attach themselves to a directory (histograms) attach to theirs, not to gDirectory.
      TDirectory::TContext ctx(fObjDir);
      fObject = fKeys[k]->ReadObj();
   }
   if (!fObject)
      throw std::runtime_error(Form("cannot read object '%s' (key %lld) of '%s'", fKeys[k]->GetName(), k,
                                    fFileName.Data()));
   fSelector->SetObject(fObject);
}

Int_t Runner::RunObjectPacket(const char *file, const char *dir, const Long64_t *keypos, Long64_t first,
                              Long64_t num)
{
   fError = "";
   fLastEntry = -1;
   SetCurrentElement(file, "", dir, first, num);
   if (OpenObjectDir(file, dir) != 0) return kDataError;   // unreadable since it was listed
   fKeyPos = keypos;
   Int_t rc = Loop(first, num);
   fKeyPos = nullptr;
   return rc;
}

Int_t FilesToProcess(const TMap *map, TString &lines, TString &unsupported)
{
   lines = unsupported = "";
   if (!map) return -1;
   Int_t n = 0;
   TIter next(map);
   while (TObject *key = next()) {
      TObject *value = map->GetValue(key);
      TCollection *files = dynamic_cast<TCollection *>(value);
      if (auto *fc = dynamic_cast<TFileCollection *>(value)) files = fc->GetList();
      if (!files) {
         if (value) unsupported += TString::Format("%s (for '%s') ", value->ClassName(), key->GetName());
         continue;
      }
      TIter nf(files);
      while (TObject *entry = nf()) {
         TString name;
         if (auto *os = dynamic_cast<TObjString *>(entry)) name = os->GetName();
         else if (auto *fi = dynamic_cast<TFileInfo *>(entry)) name = fi->GetCurrentUrl()->GetUrl();
         else {
            unsupported += TString::Format("%s ", entry->ClassName());
            continue;
         }
         lines += TString::Format("%s\t%s\n", key->GetName(), name.Data());
         ++n;
      }
   }
   return n;
}

// Open `file` for reading without changing the current directory; nullptr, with `error` set, if
// it cannot be opened.
static TFile *OpenForReading(const char *file, TString &error)
{
   TFile *f = nullptr;
   {
      TDirectory::TContext ctx;
      f = TFile::Open(file, "READ");
   }
   if (!f || f->IsZombie()) {
      error.Form("cannot open file '%s'", file);
      delete f;
      return nullptr;
   }
   return f;
}

Long64_t CountTree(const char *file, const char *dir, const char *tree, TString &error)
{
   error = "";
   TFile *f = OpenForReading(file, error);
   if (!f) return -1;
   Long64_t n = -1;
   TDirectory *d = f;
   if (dir && *dir && strcmp(dir, "/") != 0) d = f->GetDirectory(dir);
   if (!d) {
      error.Form("directory '%s' not found in file '%s'", dir, file);
   } else {
      TTree *t = nullptr;
      d->GetObject(tree, t);
      if (t) n = t->GetEntries();
      else error.Form("tree '%s' not found in file '%s'", tree, file);
   }
   f->Close();
   delete f;
   return n;
}

Long64_t ListKeys(const char *file, const char *dir, TString &lines, TString &error)
{
   lines = "";
   TFile *f = OpenForReading(file, error);
   if (!f) return -1;
   TDirectory *d = f;
   if (dir && *dir && strcmp(dir, "/") != 0) d = f->GetDirectory(dir);
   if (!d) {
      error.Form("directory '%s' not found in file '%s'", dir, file);
      delete f;
      return -1;
   }
   Long64_t n = 0;
   TIter next(d->GetListOfKeys());
   while (TKey *k = (TKey *)next()) {
      lines += TString::Format("%s\t%s\n", k->GetClassName(), k->GetName());
      ++n;
   }
   delete f;
   return n;
}

Int_t Runner::RunCyclePacket(Long64_t first, Long64_t num, const char *file)
{
   fError = "";
   // PROOF's cycle packets were kEmpty elements; TPacketizerFile's name one file each.
   SetCurrentElement(file ? file : "", "", "", first, num);
   fCurrentElement->Value()->SetBit(TDSetElement::kEmpty);
   return Loop(first, num);
}

Int_t Runner::End()
{
   fError = "";
   TList *out = fSelector->GetOutputList();
   TList *map = MapOutputToMembers(fSelector);
   Int_t rc = kOk;
   try {
      if (fSelector->Version() == 0) fSelector->Terminate();
      else fSelector->SlaveTerminate();
   } catch (std::exception &e) {
      fError.Form("C++ exception in %s::SlaveTerminate: %s", fSelector->ClassName(), e.what());
      rc = kError;
   } catch (...) {
      fError.Form("unknown C++ exception in %s::SlaveTerminate", fSelector->ClassName());
      rc = kError;
   }
   CloseFile();
   out->Add(new TParameter<Long64_t>("PROOF_SelectorStatus", fSelector->GetStatus()));
   if (map->GetSize()) {
      map->SetName("PROOFSHIM_MemberMap");
      out->Add(map);
   } else {
      delete map;
   }
   return rc;
}

} // namespace ProofShim
