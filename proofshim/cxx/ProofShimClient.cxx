// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// selectors made by class name, merging the workers' output lists, selector members re-pointed
// at the merged outputs.

// =====================================================================================
// client helpers

namespace ProofShim {

void EntryListEntries(TEntryList *list, std::vector<Long64_t> &out)
{
   out.clear();
   if (!list) return;
   const Long64_t n = list->GetN();
   out.reserve(n);
   for (Long64_t i = 0; i < n; ++i) out.push_back(list->GetEntry(i));
}

Bool_t ClassIsSelector(const char *classname)
{
   TClass *cl = TClass::GetClass(classname, kTRUE, kTRUE);
   return cl && cl->InheritsFrom(TSelector::Class());
}

TSelector *NewSelector(const char *classname, TString &error)
{
   TClass *cl = TClass::GetClass(classname);
   if (!cl) {
      error.Form("class '%s' is not known after loading the selector", classname);
      return nullptr;
   }
   if (!cl->InheritsFrom(TSelector::Class())) {
      error.Form("class '%s' does not inherit from TSelector", classname);
      return nullptr;
   }
   void *obj = cl->New();
   if (!obj) {
      error.Form("cannot create an object of class '%s' (no default constructor?)", classname);
      return nullptr;
   }
   return static_cast<TSelector *>(cl->DynamicCast(TSelector::Class(), obj));
}

static Bool_t CallMerge(TObject *target, TList *others)
{
   TClass *cl = target->IsA();
   if (ROOT::MergeFunc_t merge = cl->GetMerge()) {
      merge(target, others, nullptr);
      return kTRUE;
   }
   TMethodCall call;
   call.InitWithPrototype(cl, "Merge", "TCollection*");
   if (!call.IsValid()) return kFALSE;
   call.ResetParam();
   call.SetParam((Longptr_t)others);
   call.Execute(target);
   return kTRUE;
}

static void DisownAndDelete(TCollection *c)
{
   c->SetOwner(kFALSE);
   c->Clear("nodelete");
   delete c;
}

void MergeOutputLists(TList *out, TList *parts)
{
   // Group same-named objects across the parts, first-seen order kept, as PROOF's merger did.
   std::vector<std::pair<std::string, std::vector<TObject *>>> groups;
   std::map<std::string, size_t> index;
   TIter nextPart(parts);
   while (TObject *p = nextPart()) {
      TCollection *part = dynamic_cast<TCollection *>(p);
      if (!part) continue;
      TIter next(part);
      while (TObject *obj = next()) {
         std::string name = obj->GetName();
         auto it = index.find(name);
         if (it == index.end()) {
            index[name] = groups.size();
            groups.push_back({name, {obj}});
         } else {
            groups[it->second].second.push_back(obj);
         }
      }
      part->SetOwner(kFALSE);
      part->Clear("nodelete");
   }

   for (auto &g : groups) {
      auto &objs = g.second;
      TObject *target = objs[0];
      if (objs.size() == 1) {
         out->Add(target);
         continue;
      }
      TCollection *tcoll = dynamic_cast<TCollection *>(target);
      if (tcoll) {
         // Collections merge element by element, recursively.
         TList sub;
         for (TObject *o : objs)
            if (dynamic_cast<TCollection *>(o)) sub.Add(o);
         TList merged;
         MergeOutputLists(&merged, &sub);
         sub.Clear("nodelete"); // its collections are deleted below
         tcoll->SetOwner(kTRUE);
         TIter nm(&merged);
         while (TObject *o = nm()) tcoll->Add(o);
         merged.Clear("nodelete");
         out->Add(target);
         for (size_t i = 1; i < objs.size(); ++i) {
            if (TCollection *c = dynamic_cast<TCollection *>(objs[i])) DisownAndDelete(c);
            else out->Add(objs[i]);
         }
         continue;
      }
      TList others;
      std::vector<TObject *> strangers; // same name, different class: kept side by side
      for (size_t i = 1; i < objs.size(); ++i) {
         if (objs[i]->IsA() == target->IsA()) others.Add(objs[i]);
         else strangers.push_back(objs[i]);
      }
      out->Add(target);
      if (others.GetSize() && CallMerge(target, &others)) {
         others.SetOwner(kTRUE);
         others.Delete();
      } else {
         TIter no(&others);
         while (TObject *o = no()) out->Add(o);
         others.Clear("nodelete");
      }
      for (TObject *o : strangers) out->Add(o);
   }
}

// Pointer-to-TObject data members of the selector's own classes (TSelector's are skipped).
static void ForEachObjectPointer(TSelector *sel, const std::function<void(TRealData *, TClass *, void **)> &fn)
{
   TClass *cl = sel->IsA();
   if (!cl) return;
   if (!cl->GetListOfRealData()) cl->BuildRealData(sel);
   if (!cl->GetListOfRealData()) return;
   TIter next(cl->GetListOfRealData());
   while (TRealData *rd = (TRealData *)next()) {
      TDataMember *dm = rd->GetDataMember();
      if (!dm || !dm->IsaPointer() || dm->IsBasic()) continue;
      if (dm->GetClass() == TSelector::Class()) continue;
      TClass *mcl = TClass::GetClass(dm->GetTypeName());
      if (!mcl || !mcl->IsTObject()) continue;
      fn(rd, mcl, (void **)((char *)sel + rd->GetThisOffset()));
   }
}

TList *MapOutputToMembers(TSelector *sel)
{
   TList *map = new TList;
   map->SetOwner(kTRUE);
   TList *out = sel ? sel->GetOutputList() : nullptr;
   if (!out) return map;
   ForEachObjectPointer(sel, [&](TRealData *rd, TClass *mcl, void **addr) {
      if (!*addr) return;
      TObject *obj = (TObject *)mcl->DynamicCast(TObject::Class(), *addr, kTRUE);
      if (!obj) return;
      TIter next(out);
      while (TObject *o = next()) {
         if (o == obj) {
            map->Add(new TNamed(rd->GetName(), obj->GetName()));
            return;
         }
      }
   });
   return map;
}

Int_t SetMembersFromOutput(TSelector *sel, TList *map, TList *output)
{
   if (!sel || !map || !output) return 0;
   Int_t n = 0;
   ForEachObjectPointer(sel, [&](TRealData *rd, TClass *mcl, void **addr) {
      TObject *entry = map->FindObject(rd->GetName());
      if (!entry) return;
      TObject *obj = output->FindObject(entry->GetTitle());
      if (!obj || !obj->InheritsFrom(mcl)) return;
      *addr = TObject::Class()->DynamicCast(mcl, obj, kFALSE) ? mcl->DynamicCast(TObject::Class(), obj, kFALSE)
                                                              : (void *)obj;
      ++n;
   });
   return n;
}

} // namespace ProofShim
