// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// TDSetElement and TDSet.

// =====================================================================================
// TDSetElement, TDSet

TDSetElement::TDSetElement(const char *file, const char *objname, const char *dir, Long64_t first, Long64_t num,
                           const char *msd)
   : TNamed(file, objname ? objname : ""), fDirectory(dir ? dir : ""), fFirst(first), fNum(num),
     fMsd(msd ? msd : "")
{
}

TDSetElement::TDSetElement(const TDSetElement &e)
   : TNamed(e), fDirectory(e.fDirectory), fFirst(e.fFirst), fNum(e.fNum), fMsd(e.fMsd),
     fTDSetOffset(e.fTDSetOffset), fEntries(e.fEntries)
{
}

TDSetElement::~TDSetElement()
{
   delete fFriends;
}

void TDSetElement::Print(Option_t *) const
{
   Printf("OBJ: TDSetElement\t%s\t%s\t%s\tfirst: %lld\tnum: %lld", GetName(), GetTitle(), fDirectory.Data(), fFirst,
          fNum);
}

TDSet::TDSet()
{
   fElements = new TList;
   fElements->SetOwner(kTRUE);
}

TDSet::TDSet(const char *name, const char *objname, const char *dir, const char *type) : TDSet()
{
   TString n(name ? name : ""), o(objname ? objname : "*"), t(type ? type : "");
   // Old form TDSet("TTree", "T"): a class name as first argument is the type. The class lookups
   // may load: a class whose library was just loaded from a running macro (TProof::Load) is not
   // found otherwise.
   TClass *c = TClass::GetClass(n, kTRUE, kTRUE);
   if (t.IsNull() && c && c->InheritsFrom(TObject::Class())) {
      t = n;
      n = o;
   }
   if (t.IsNull()) t = "TTree";
   SetName(n);
   SetTitle(t);
   fType = t;
   fObjName = o;
   fDir = dir ? dir : "/";
   TClass *tc = TClass::GetClass(fType, kTRUE, kTRUE);
   fIsTree = !tc || tc->InheritsFrom(TTree::Class());
}

TDSet::TDSet(const TChain &chain, Bool_t withfriends) : TDSet(chain.GetName(), chain.GetName(), "/", "TTree")
{
   TIter next(chain.GetListOfFiles());
   while (TChainElement *el = (TChainElement *)next()) Add(el->GetTitle(), el->GetName());
   if (!withfriends || !chain.GetListOfFriends()) return;
   TIter nextf(chain.GetListOfFriends());
   while (TFriendElement *fe = (TFriendElement *)nextf()) {
      TChain *fc = dynamic_cast<TChain *>(fe->GetTree());
      if (fc) AddFriend(new TDSet(*fc, kFALSE), fe->GetName());
      else Warning("TDSet", "friend '%s' is not a TChain: not added", fe->GetName());
   }
}

TDSet::~TDSet()
{
   delete fElements;
   delete fFriends;
   delete fIterator;
}

Bool_t TDSet::Add(const char *file, const char *objname, const char *dir, Long64_t first, Long64_t num,
                  const char *msd)
{
   if (!file || !*file) {
      Error("Add", "file name must be specified");
      return kFALSE;
   }
   TString fn(file);
   TIter next(fElements);
   while (TDSetElement *e = (TDSetElement *)next()) {
      if (fn == e->GetFileName()) {
         Warning("Add", "duplicate, %40s is already in dataset, ignored", file);
         return kFALSE;
      }
   }
   const char *on = (objname && *objname) ? objname : fObjName.Data();
   const char *dn = (dir && *dir) ? dir : fDir.Data();
   fElements->Add(new TDSetElement(file, on, dn, first, num, msd));
   return kTRUE;
}

Bool_t TDSet::Add(TDSet *set)
{
   if (!set) return kFALSE;
   TIter next(set->GetListOfElements());
   while (TDSetElement *e = (TDSetElement *)next())
      Add(e->GetFileName(), e->GetObjName(), e->GetDirectory(), e->GetFirst(), e->GetNum(), e->GetMsd());
   return kTRUE;
}

Bool_t TDSet::Add(TCollection *files, const char *, Bool_t, TCollection *)
{
   if (!files) return kFALSE;
   TIter next(files);
   while (TObject *o = next()) {
      if (auto *fi = dynamic_cast<TFileInfo *>(o)) {
         if (fi->GetCurrentUrl()) Add(fi->GetCurrentUrl()->GetUrl());
      } else if (auto *u = dynamic_cast<TUrl *>(o)) {
         Add(u->GetUrl());
      } else if (auto *s = dynamic_cast<TObjString *>(o)) {
         Add(s->GetName());
      } else if (auto *e = dynamic_cast<TDSetElement *>(o)) {
         Add(e->GetFileName(), e->GetObjName(), e->GetDirectory(), e->GetFirst(), e->GetNum());
      } else {
         Warning("Add", "do not know how to add a %s", o->ClassName());
      }
   }
   return kTRUE;
}

void TDSet::AddFriend(TDSet *friendset, const char *alias)
{
   if (!friendset) return;
   if (!fFriends) {
      fFriends = new TList;
      fFriends->SetOwner(kFALSE);
   }
   friendset->SetTitle(alias ? alias : friendset->GetName());
   fFriends->Add(friendset);
}

void TDSet::Reset()
{
   delete fIterator;
   fIterator = new TIter(fElements);
   fCurrent = nullptr;
}

TDSetElement *TDSet::Next(Long64_t)
{
   if (!fIterator) Reset();
   fCurrent = (TDSetElement *)(*fIterator)();
   return fCurrent;
}

void TDSet::Print(Option_t *opt) const
{
   Printf("OBJ: TDSet\ttype %s\t%s\tin %s\telements %d", fType.Data(), fObjName.Data(), GetName(),
          fElements->GetSize());
   TString o(opt);
   if (o.Contains("a")) {
      TIter next(fElements);
      while (TObject *e = next()) e->Print(opt);
   }
}

Long64_t TDSet::Process(const char *selector, Option_t *option, Long64_t nentries, Long64_t firstentry, TObject *enl)
{
   if (!gProof) {
      Error("Process", "no active PROOF session: call TProof::Open() first");
      return -1;
   }
   if (enl) SetEntryList(enl);
   return gProof->Process(this, selector, option, nentries, firstentry);
}

Long64_t TDSet::Draw(const char *varexp, const char *selection, Option_t *option, Long64_t nentries,
                     Long64_t firstentry)
{
   if (!gProof) {
      Error("Draw", "no active PROOF session: call TProof::Open() first");
      return -1;
   }
   return gProof->DrawSelect(this, varexp, selection, option, nentries, firstentry);
}

Long64_t TDSet::Draw(const char *varexp, const TCut &selection, Option_t *option, Long64_t nentries,
                     Long64_t firstentry)
{
   return Draw(varexp, selection.GetTitle(), option, nentries, firstentry);
}

Long64_t TDSet::Process(TSelector *selector, Option_t *option, Long64_t nentries, Long64_t firstentry, TObject *enl)
{
   if (!gProof) {
      Error("Process", "no active PROOF session: call TProof::Open() first");
      return -1;
   }
   if (enl) SetEntryList(enl);
   return gProof->Process(this, selector, option, nentries, firstentry);
}

void TDSet::AddInput(TObject *obj)
{
   if (gProof) gProof->AddInput(obj);
   else Error("AddInput", "no active PROOF session");
}

void TDSet::ClearInput()
{
   if (gProof) gProof->ClearInput();
}

TObject *TDSet::GetOutput(const char *name)
{
   return gProof ? gProof->GetOutput(name) : nullptr;
}

TList *TDSet::GetOutputList()
{
   return gProof ? gProof->GetOutputList() : nullptr;
}
