// proofshim's C++ library: the PROOF classes legacy code links against, the tree player hook,
// the worker event loop and output merging. Compiled once per host with ACLiC (proofshim/runtime.py);
// the classes get dictionaries so their objects stream and ACLiC-compiled selectors can link to them.
#include "TProof.h"
#include "TDSet.h"
#include "TProofServ.h"
#include "TProofMgr.h"
#include "TProofDebug.h"
#include "TQueryResult.h"
#include "TSlaveInfo.h"
#include "TProofOutputFile.h"
#include "TProofLog.h"
#include "TPerfStats.h"
#include "ProofShimCore.h"
#include "ProofShimMacros.h"

// Definitions: compiled into the library, not handed to cling, which parses the dictionary's
// payload (this file) each time the library is loaded; cling needs the declarations of the headers
// only. Measured: loading the library took 0.9-1.1 s with them, 0.2-0.4 s without.
#ifndef __CLING__

#include "TChain.h"
#include "TChainElement.h"
#include "TClass.h"
#include "TDataMember.h"
#include "TDirectory.h"
#include "TEntryList.h"
#include "TError.h"
#include "TFile.h"
#include "TH1.h"
#include "TKey.h"
#include "TMacro.h"
#include "TParameter.h"
#include "TFileCollection.h"
#include "TFriendElement.h"
#include "TFileInfo.h"
#include "TFileMerger.h"
#include "TSystem.h"
#include "TMap.h"
#include "TMethodCall.h"
#include "TObjArray.h"
#include "TObjString.h"
#include "TROOT.h"
#include "TRealData.h"
#include "TRegexp.h"
#include "TTree.h"
#include "TUrl.h"
#include "TVirtualTreePlayer.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <exception>
#include <stdexcept>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>
#include <unistd.h>
#include <dlfcn.h>
#include <cstdint>


TProof *gProof = nullptr;
TProofServ *gProofServ = nullptr;
TVirtualMutex *gProofMutex = nullptr;

// =====================================================================================
// hooks
namespace ProofShim {

std::function<TProof *(const char *, Int_t)> gOpenHook;
std::function<Long64_t(TProof *, const char *, TObject *, const char *, TSelector *, const char *, Long64_t,
                       Long64_t, TObject *)>
   gProcessHook;
std::function<Long64_t(TProof *, const char *, const char *, Long64_t)> gCallHook;
std::function<TObject *(TProof *, const char *, const char *, TObject *)> gObjectHook;

// ---- the hooks as calls into Python, compiled here. Letting cppyy convert a Python callable to
// each std::function costs a JIT-compiled wrapper per signature: most of `import proofshim`'s time
// (measured: 0.6-0.8 s of about 1 s). The Python C API is looked up in the running process (the
// library is only ever loaded into Python); C++ objects travel as addresses, which
// proofshim/patches.py binds to proxies of their actual class.
namespace {
struct PythonApi {
   int (*GILEnsure)() = nullptr;
   void (*GILRelease)(int) = nullptr;
   PyObject *(*CallFunction)(PyObject *, const char *, ...) = nullptr;
   long long (*AsLongLong)(PyObject *) = nullptr;
   PyObject *(*ErrOccurred)() = nullptr;
   void (*ErrPrint)() = nullptr;
   void (*IncRef)(PyObject *) = nullptr;
   void (*DecRef)(PyObject *) = nullptr;

   bool Load()
   {
      if (CallFunction) return true;
      void *self = dlopen(nullptr, RTLD_LAZY);
      auto get = [self](const char *name) { return self ? dlsym(self, name) : nullptr; };
      GILEnsure = (int (*)())get("PyGILState_Ensure");
      GILRelease = (void (*)(int))get("PyGILState_Release");
      AsLongLong = (long long (*)(PyObject *))get("PyLong_AsLongLong");
      ErrOccurred = (PyObject * (*)()) get("PyErr_Occurred");
      ErrPrint = (void (*)())get("PyErr_Print");
      IncRef = (void (*)(PyObject *))get("Py_IncRef");
      DecRef = (void (*)(PyObject *))get("Py_DecRef");
      CallFunction = (PyObject * (*)(PyObject *, const char *, ...)) get("PyObject_CallFunction");
      if (!(GILEnsure && GILRelease && AsLongLong && ErrOccurred && ErrPrint && IncRef && DecRef && CallFunction))
         CallFunction = nullptr;
      return CallFunction != nullptr;
   }
};
PythonApi gPy;
PyObject *gPyHooks[4] = {nullptr, nullptr, nullptr, nullptr};   // open, process, call, object

// The integer a Python hook returned (an address for objects); `failed` when it raised.
template <class... Args>
Long64_t CallPython(int which, Long64_t failed, const char *format, Args... args)
{
   PyObject *fn = gPyHooks[which];
   if (!fn) return failed;
   int gil = gPy.GILEnsure();
   Long64_t value = failed;
   if (PyObject *res = gPy.CallFunction(fn, format, args...)) {
      value = gPy.AsLongLong(res);
      if (value == -1 && gPy.ErrOccurred()) {
         gPy.ErrPrint();
         value = failed;
      }
      gPy.DecRef(res);
   } else {
      gPy.ErrPrint();
   }
   gPy.GILRelease(gil);
   return value;
}

unsigned long long Address(const void *p)
{
   return (unsigned long long)(uintptr_t)p;
}
} // namespace

Bool_t SetPythonHooks(PyObject *open, PyObject *process, PyObject *call, PyObject *object)
{
   if (!gPy.Load()) {
      ::Error("proofshim", "the Python C API is not reachable from this process: proofshim's hooks cannot be set");
      return kFALSE;
   }
   ClearPythonHooks();
   PyObject *fns[4] = {open, process, call, object};
   for (int i = 0; i < 4; ++i) {
      gPy.IncRef(fns[i]);
      gPyHooks[i] = fns[i];
   }
   gOpenHook = [](const char *args, Int_t level) -> TProof * {
      return (TProof *)(uintptr_t)CallPython(0, 0, "si", args, (int)level);
   };
   gProcessHook = [](TProof *p, const char *kind, TObject *data, const char *sel, TSelector *selobj,
                     const char *opt, Long64_t n, Long64_t first, TObject *extra) -> Long64_t {
      return CallPython(1, -1, "KsKsKsLLK", Address(p), kind, Address(data), sel, Address(selobj), opt,
                        (long long)n, (long long)first, Address(extra));
   };
   gCallHook = [](TProof *p, const char *method, const char *sarg, Long64_t iarg) -> Long64_t {
      return CallPython(2, -1, "KssL", Address(p), method, sarg, (long long)iarg);
   };
   gObjectHook = [](TProof *p, const char *method, const char *sarg, TObject *obj) -> TObject * {
      return (TObject *)(uintptr_t)CallPython(3, 0, "KssK", Address(p), method, sarg, Address(obj));
   };
   return kTRUE;
}

void ClearPythonHooks()
{
   gOpenHook = nullptr;
   gProcessHook = nullptr;
   gCallHook = nullptr;
   gObjectHook = nullptr;
   for (auto &fn : gPyHooks) {
      if (fn && gPy.DecRef) {
         int gil = gPy.GILEnsure();
         gPy.DecRef(fn);
         gPy.GILRelease(gil);
      }
      fn = nullptr;
   }
}

TObject *ObjectHook(TProof *p, const char *method, const char *sarg, TObject *obj)
{
   if (!gObjectHook) {
      ::Error("TProof", "%s: proofshim is not active in this process (import proofshim first)", method);
      return nullptr;
   }
   return gObjectHook(p, method, sarg ? sarg : "", obj);
}

TList *ListOfProofs()
{
   // ROOT 6.40's TROOT lost GetListOfProofs(); Python's gROOT.GetListOfProofs() is patched to this.
   static TList *proofs = nullptr;
   if (!proofs) {
      proofs = new TList;
      proofs->SetName("Proofs");
   }
   return proofs;
}

Long64_t CallHook(TProof *p, const char *method, const char *sarg, Long64_t iarg)
{
   if (!gCallHook) {
      ::Error("TProof", "%s: proofshim is not active in this process (import proofshim first)", method);
      return -1;
   }
   return gCallHook(p, method, sarg ? sarg : "", iarg);
}

static Long64_t ProcessHook(TProof *p, const char *kind, TObject *data, const char *sel, TSelector *selobj,
                            const char *opt, Long64_t n, Long64_t first, TObject *extra)
{
   if (!gProcessHook) {
      ::Error("TProof::Process", "proofshim is not active in this process (import proofshim first)");
      return -1;
   }
   if (!p || !p->IsValid()) {
      ::Error("TProof::Process", "the PROOF session is not valid (closed?): open one with TProof::Open");
      return -1;
   }
   return gProcessHook(p, kind, data, sel ? sel : "", selobj, opt ? opt : "", n, first, extra);
}

// Draw queries hand the hook a list: the selection, then the entry list if one was given.
static Long64_t DrawHook(TProof *p, const char *kind, TObject *data, const char *varexp, const char *selection,
                         Option_t *option, Long64_t nentries, Long64_t first, TObject *enl)
{
   TList extra;
   TObjString sel(selection ? selection : "");
   extra.Add(&sel);
   if (enl) extra.Add(enl);
   Long64_t rc = ProcessHook(p, kind, data, varexp, nullptr, option, nentries, first, &extra);
   extra.Clear("nodelete");
   return rc;
}

// =====================================================================================
// chains tied to a session

// Removes deleted chains from the registry, so that a new chain at a recycled address is not
// mistaken for a PROOF-enabled one.
class ChainCleaner : public TObject {
public:
   void RecursiveRemove(TObject *obj) override { ForgetTree(obj); }
};

// How a chain is tied to PROOF. SetProof(kTRUE) makes it follow gProof: it is processed on
// whatever session is gProof when Process/Draw runs, as PROOF's TProofChain was, and it is
// registered with the gProof of that moment (if any), whose Close() unties it (PROOF called
// chain->SetProof(0) on the chains of a closing session). TProof::AddChain binds it to that very
// session. SetProof(kFALSE) records "local", which also holds under a gROOT->Proof() session.
struct ChainTie {
   Bool_t on = kFALSE;          // SetProof(kTRUE) or AddChain
   Bool_t bound = kFALSE;       // AddChain: processed on `session`, not on gProof
   TProof *session = nullptr;   // the session whose Close() unties the chain
};

static std::map<TTree *, ChainTie> &Chains()
{
   static std::map<TTree *, ChainTie> chains;
   return chains;
}

static void EnsureCleaner()
{
   static ChainCleaner *cleaner = nullptr;
   if (!cleaner) {
      cleaner = new ChainCleaner;
      gROOT->GetListOfCleanups()->Add(cleaner);
   }
}

static void Tie(TTree *chain, const ChainTie &tie)
{
   EnsureCleaner();
   chain->SetBit(kMustCleanup);
   Chains()[chain] = tie;
}

TProof *RootProof(const char *url)
{
   TProof *p = TProof::Open(url ? url : "");
   if (p) p->SetBit(kChainsFollowSession);
   return p;
}

// Like PROOF's TChain::SetProof this needs no session: Process uses the gProof of its time.
Int_t SetChainProof(TTree *chain, Bool_t on)
{
   if (!chain) return -1;
   ChainTie tie;
   tie.on = on;
   if (on && gProof && gProof->IsValid()) tie.session = gProof;
   Tie(chain, tie);
   return 0;
}

static void BindChain(TTree *chain, TProof *proof)
{
   ChainTie tie;
   tie.on = tie.bound = kTRUE;
   tie.session = proof;
   Tie(chain, tie);
}

static void UnbindChain(TTree *chain, TProof *proof)
{
   auto it = Chains().find(chain);
   if (it != Chains().end() && it->second.bound && it->second.session == proof) Chains().erase(it);
}

TProof *ProofForTree(TTree *tree)
{
   if (!tree) return nullptr;
   auto it = Chains().find(tree);
   if (it != Chains().end()) {
      const ChainTie &tie = it->second;
      if (!tie.on) return nullptr;
      if (tie.bound) return tie.session;
      return gProof && gProof->IsValid() ? gProof : nullptr;
   }
   if (gProof && gProof->IsValid() && gProof->TestBit(kChainsFollowSession) && tree->InheritsFrom(TChain::Class()))
      return gProof;
   return nullptr;
}

Bool_t MissingSession(TTree *tree, const char *method)
{
   if (!tree || ProofForTree(tree)) return kFALSE;
   auto it = Chains().find(tree);
   if (it == Chains().end() || !it->second.on) return kFALSE;
   ::Error(Form("TChain::%s", method),
           "chain '%s' was given SetProof() but no PROOF session is open: call TProof::Open() before %s(), "
           "or SetProof(kFALSE) to process the chain in this process",
           tree->GetName(), method);
   return kTRUE;
}

void ForgetSession(TProof *proof)
{
   for (auto it = Chains().begin(); it != Chains().end();) {
      if (it->second.session == proof) it = Chains().erase(it);
      else ++it;
   }
}

void ForgetTree(TObject *tree)
{
   Chains().erase(static_cast<TTree *>(tree));
}

Int_t NumberOfProofChains()
{
   Int_t n = 0;
   for (auto &c : Chains())
      if (c.second.on) ++n;
   return n;
}

// =====================================================================================
// client helpers

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

// =====================================================================================
// the worker's event loop

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
      // file \t directory \t tree \t first \t num \t probe
      TString field[6];
      Ssiz_t pos = 0;
      for (auto &f : field) line.Tokenize(f, pos, "\t");
      Long64_t *res = out + kPieceFields * i;
      const Long64_t processed0 = GetProcessed(), bytes0 = fBytesRead;
      timespec cpu0;
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
      const auto wall0 = std::chrono::steady_clock::now();
      res[3] = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::system_clock::now().time_since_epoch()).count();
      rc = RunTreePacket(field[0], field[1] == "." ? "" : field[1].Data(), field[2], field[3].Atoll(),
                         field[4].Atoll(), field[5] == "1");
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

// =====================================================================================
// parallel Draw

namespace ProofShim {

Int_t DrawEngine::Start(TTree *tree, const char *varexp, const char *selection, const char *option)
{
   fDrawInput.Delete();
   fDrawInput.Add(new TNamed("varexp", varexp ? varexp : ""));
   fDrawInput.Add(new TNamed("selection", selection ? selection : ""));
   SetInputList(&fDrawInput);
   SetOption(option ? option : "");
   Begin(tree);
   return GetStatus() < 0 ? -1 : 0;
}

Bool_t DrawEngine::NeedsLimits() const
{
   TH1 *h = dynamic_cast<TH1 *>(fObject);
   return fAction < 0 && h && h->CanExtendAllAxes();
}

void DrawEngine::ScatterAsHistogram()
{
   // 2-D (12) and 3-D (13) scatter plots become the 2-D and 3-D histograms of their points.
   if (fAction == 12 || fAction == -12) fAction = fAction > 0 ? 2 : -2;
   if (fAction == 13 || fAction == -13) fAction = fAction > 0 ? 3 : -3;
}

void DrawEngine::Collect(Double_t *mins, Double_t *maxs)
{
   for (Int_t i = 0; i < fDimension && i < 4; ++i) {
      for (Int_t k = 0; k < fNfill; ++k) {
         if (fVal[i][k] < mins[i]) mins[i] = fVal[i][k];
         if (fVal[i][k] > maxs[i]) maxs[i] = fVal[i][k];
      }
   }
   fSelectedRows += fNfill;
   fNfill = 0;
}

void DrawEngine::Estimate(const Double_t *mins, const Double_t *maxs)
{
   // TSelectorDraw derives the axes from the extreme values it buffered (and extends them while
   // filling those); two rows holding the global extremes give it the same axes.
   for (Int_t i = 0; i < fDimension && i < 4; ++i) {
      fVal[i][0] = mins[i];
      fVal[i][1] = maxs[i];
   }
   fW[0] = fW[1] = 1;
   fNfill = 2;
   if (fAction < 0) fAction = -fAction;
   TakeEstimate();
   fNfill = 0;
   if (TH1 *h = dynamic_cast<TH1 *>(fObject)) {
      h->Reset();
      // TProfile::Reset leaves the sums of squares of the two rows behind.
      if (h->GetSumw2N()) h->GetSumw2()->Reset();
   }
}

void DrawEngine::Flush()
{
   if (fNfill) {
      TakeAction();
      fNfill = 0;
   }
}

DrawSelector::~DrawSelector()
{
   delete fEngine;
   delete fDir;   // with whatever is still in it
}

void DrawSelector::SlaveBegin(TTree *)
{
   TObject *mode = fInput->FindObject("PROOFSHIM_Draw");
   fLimits = mode && TString(mode->GetTitle()) == "limits";
   for (Int_t i = 0; i < 4; ++i) {
      fMin[i] = std::numeric_limits<Double_t>::max();
      fMax[i] = -std::numeric_limits<Double_t>::max();
   }
   fDir = new TDirectory(TString::Format("proofshim_draw_%p", (void *)this), "proofshim Draw", "", nullptr);
   if (!fLimits) {
      TList *target = dynamic_cast<TList *>(fInput->FindObject("PROOFSHIM_DrawTarget"));
      if (!target || !target->First()) {
         Abort("proofshim Draw: the object to fill is missing from the input list");
         return;
      }
      fTargetName = target->First()->GetName();
      fTarget = target->First()->Clone("__proofshim_draw");
      if (TH1 *h = dynamic_cast<TH1 *>(fTarget)) h->SetDirectory(fDir);
      else fDir->Append(fTarget);
   }
}

void DrawSelector::FinishEngine()
{
   if (!fEngine) return;
   if (fLimits) fEngine->Collect(fMin, fMax);
   else fEngine->Flush();
   fRows += fEngine->GetSelectedRows();
   fDim = fEngine->GetDimension();
   delete fEngine;
   fEngine = nullptr;
}

void DrawSelector::TreeClosing()
{
   TDirectory::TContext ctx(fDir);
   FinishEngine();
   fTree = nullptr;
}

void DrawSelector::Init(TTree *tree)
{
   if (tree == fTree && fEngine) return;
   FinishEngine();
   fTree = tree;
   if (!tree) return;
   TObject *v = fInput->FindObject("varexp");
   TObject *s = fInput->FindObject("selection");
   TString varexp = v ? v->GetTitle() : "";
   if (!fLimits) varexp += ">>+__proofshim_draw";
   TString option = GetOption();
   option += " goff";
   fEngine = new DrawEngine;
   TDirectory::TContext ctx(fDir);
   if (fEngine->Start(tree, varexp, s ? s->GetTitle() : "", option) != 0) {
      delete fEngine;
      fEngine = nullptr;
      throw std::runtime_error(std::string("cannot draw '") + varexp.Data() + "' from tree '" + tree->GetName() +
                               "': see the error above");
   }
}

Bool_t DrawSelector::Notify()
{
   return fEngine ? fEngine->Notify() : kTRUE;
}

Bool_t DrawSelector::Process(Long64_t entry)
{
   fTree->LoadTree(entry);
   fEngine->ProcessFill(entry);
   if (fLimits) fEngine->Collect(fMin, fMax);
   return kTRUE;
}

void DrawSelector::SlaveTerminate()
{
   {
      TDirectory::TContext ctx(fDir);
      FinishEngine();
   }
   fOutput->Add(new TParameter<Long64_t>("PROOFSHIM_DrawRows", fRows));
   if (fLimits) {
      for (Int_t i = 0; i < fDim && i < 4 && fRows > 0; ++i) {
         auto *lo = new TParameter<Double_t>(TString::Format("PROOFSHIM_DrawMin%d", i), fMin[i], 'm');
         auto *hi = new TParameter<Double_t>(TString::Format("PROOFSHIM_DrawMax%d", i), fMax[i], 'M');
         fOutput->Add(lo);
         fOutput->Add(hi);
      }
   } else if (fTarget) {
      if (TH1 *h = dynamic_cast<TH1 *>(fTarget)) h->SetDirectory(nullptr);
      else fDir->Remove(fTarget);
      TNamed *named = dynamic_cast<TNamed *>(fTarget);
      if (named) named->SetName(fTargetName);
      fOutput->Add(fTarget);
      fTarget = nullptr;
   }
}

void SetDrawResult(TTree *tree, TH1 *histogram, Long64_t rows)
{
   if (auto *player = dynamic_cast<TProofShimTreePlayer *>(tree ? tree->GetPlayer() : nullptr))
      player->SetDrawResult(histogram, rows);
}

} // namespace ProofShim

// =====================================================================================
// tree player

Long64_t TProofShimTreePlayer::Process(const char *filename, Option_t *option, Long64_t nentries, Long64_t firstentry)
{
   TProof *p = ProofShim::ProofForTree(fTree);
   if (!p && ProofShim::MissingSession(fTree, "Process")) return -1;
   if (!p) return TTreePlayer::Process(filename, option, nentries, firstentry);
   return ProofShim::ProcessHook(p, "tree", fTree, filename, nullptr, option, nentries, firstentry, nullptr);
}

Long64_t TProofShimTreePlayer::Process(TSelector *selector, Option_t *option, Long64_t nentries, Long64_t firstentry)
{
   TProof *p = ProofShim::ProofForTree(fTree);
   if (!p && ProofShim::MissingSession(fTree, "Process")) return -1;
   if (!p) return TTreePlayer::Process(selector, option, nentries, firstentry);
   return ProofShim::ProcessHook(p, "tree", fTree, "", selector, option, nentries, firstentry, nullptr);
}

Long64_t TProofShimTreePlayer::DrawSelect(const char *varexp, const char *selection, Option_t *option,
                                          Long64_t nentries, Long64_t firstentry)
{
   TProof *p = ProofShim::ProofForTree(fTree);
   if (!p && ProofShim::MissingSession(fTree, "Draw")) return -1;
   if (!p) return TTreePlayer::DrawSelect(varexp, selection, option, nentries, firstentry);
   return ProofShim::DrawHook(p, "draw:tree", fTree, varexp, selection, option, nentries, firstentry, nullptr);
}

// A rewritten macro's `tree->Process(...)` (ProofShimMacros.h): straight to the session, before
// TChain::Process would open the chain's first file on the client.
Long64_t ProofShim::ProcessTree(TTree *tree, const char *selector, Option_t *option, Long64_t nentries,
                                Long64_t firstentry)
{
   TProof *p = tree ? ProofShim::ProofForTree(tree) : nullptr;
   if (!p) return tree->Process(selector, option, nentries, firstentry);
   return ProofShim::ProcessHook(p, "tree", tree, selector, nullptr, option, nentries, firstentry, nullptr);
}

Long64_t ProofShim::ProcessTree(TTree *tree, TSelector *selector, Option_t *option, Long64_t nentries,
                                Long64_t firstentry)
{
   TProof *p = tree ? ProofShim::ProofForTree(tree) : nullptr;
   if (!p) return tree->Process(selector, option, nentries, firstentry);
   return ProofShim::ProcessHook(p, "tree", tree, "", selector, option, nentries, firstentry, nullptr);
}

// =====================================================================================
// TProof

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
// TSlaveInfo, TQueryResult

TPerfEvent::TPerfEvent(TTimeStamp *offset)
   : fEvtNode("0"), fType(TVirtualPerfStats::kUnDefined), fEventsProcessed(0), fBytesRead(0), fLen(0),
     fLatency(0.), fProcTime(0.), fCpuTime(0.), fIsStart(kFALSE), fIsOk(kFALSE)
{
   if (gProofServ) fEvtNode = gProofServ->GetOrdinal();
   if (offset)
      fTimeStamp = TTimeStamp(fTimeStamp.GetSec() - offset->GetSec(), fTimeStamp.GetNanoSec() - offset->GetNanoSec());
}

Int_t TPerfEvent::Compare(const TObject *obj) const
{
   const TPerfEvent *pe = dynamic_cast<const TPerfEvent *>(obj);
   if (!pe) return 0;
   if (fTimeStamp < pe->fTimeStamp) return -1;
   return fTimeStamp == pe->fTimeStamp ? 0 : 1;
}

void TPerfEvent::Print(Option_t *) const
{
   TString where = fEvtNode == "0" ? TString("TPerfEvent: Master ") : TString::Format("TPerfEvent: Worker %s ", fEvtNode.Data());
   Printf("%s %s %f", where.Data(), TVirtualPerfStats::EventType(fType), double(fTimeStamp));
}

Int_t TSlaveInfo::Compare(const TObject *obj) const
{
   // Ordinals compare field by field as numbers ("0.2" before "0.10"), as in PROOF.
   if (!obj) return 1;
   const TSlaveInfo *si = dynamic_cast<const TSlaveInfo *>(obj);
   if (!si) return fOrdinal.CompareTo(obj->GetName());
   const char *mine = fOrdinal.Data(), *other = si->fOrdinal.Data();
   while (mine && other) {
      Int_t a = atoi(mine), b = atoi(other);
      if (a != b) return a < b ? -1 : 1;
      mine = strchr(mine, '.');
      other = strchr(other, '.');
      if (mine) mine++;
      if (other) other++;
   }
   if (mine) return 1;
   if (other) return -1;
   return 0;
}

Bool_t TSlaveInfo::IsEqual(const TObject *obj) const
{
   const TSlaveInfo *si = dynamic_cast<const TSlaveInfo *>(obj);
   return si && fOrdinal == si->fOrdinal;
}

void TSlaveInfo::SetSysInfo(SysInfo_t si)
{
   fSysInfo = si;
}

void TSlaveInfo::Print(Option_t *) const
{
   const char *st = fStatus == kActive ? "active" : fStatus == kNotActive ? "not active" : "bad";
   Printf("Worker: %9s  %-40s  %s", fOrdinal.Data(), fHostName.Data(), st);
}

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

// =====================================================================================
// logs: what the workers printed. Python collects and keeps them (proofshim/logs.py); these
// forward, and TProofLog/TProofLogElem present them as PROOF did.

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

TProof *TProofMgr::CreateSession(const char *, const char *, Int_t loglevel)
{
   fSession = TProof::Open(fUrl, nullptr, nullptr, loglevel);
   return fSession;
}

void TProofMgr::DetachSession(TProof *p, Option_t *opt)
{
   if (p) p->Detach(opt);
}

void TProofMgr::ShutdownSession(TProof *p)
{
   if (p) p->Close();
}

void TProofDesc::Print(Option_t *) const
{
   const char *st = fStatus == kIdle ? "idle" : fStatus == kRunning ? "running"
                  : fStatus == kShutdown ? "shutting down" : "unknown";
   Printf("// #%d # \"%s\" # \"%s\" # (%s)", fLocalId, GetName(), GetTitle(), st);
   Printf("// alias: %s, url: \"%s\"", GetTitle(), fUrl.Data());
}

Int_t TProofLockPath::Lock()
{
   if (IsLocked()) return 0;
   const char *path = GetName();
   Int_t fd = ::open(path, O_CREAT | O_RDWR, 0644);
   if (fd < 0) {
      SysError("Lock", "cannot open lock file %s", path);
      return -1;
   }
   if (::lockf(fd, F_LOCK, (off_t)1) == -1) {
      SysError("Lock", "error locking %s", path);
      ::close(fd);
      return -1;
   }
   fLockId = fd;
   return 0;
}

Int_t TProofLockPath::Unlock()
{
   if (!IsLocked()) return 0;
   if (::lockf(fLockId, F_ULOCK, (off_t)1) == -1) {
      SysError("Unlock", "error unlocking %s", GetName());
      ::close(fLockId);
      fLockId = -1;
      return -1;
   }
   ::close(fLockId);
   fLockId = -1;
   return 0;
}

TProofLog *TProofMgr::GetSessionLogs(Int_t, const char *, const char *, Bool_t)
{
   TProof *p = fSession && fSession->IsValid() ? fSession : gProof;
   if (!p || !p->IsValid()) {
      ::Error("TProofMgr::GetSessionLogs", "no open PROOF session: open one with TProof::Open");
      return nullptr;
   }
   return dynamic_cast<TProofLog *>(ProofShim::ObjectHook(p, "GetSessionLogs", ""));
}

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

// =====================================================================================
// TProofServ, TProofDebug

TProofDebug::EProofDebugMask gProofDebugMask = TProofDebug::kAll;
Int_t gProofDebugLevel = 0;

void TProofServ::SendAsynMessage(const char *msg, Bool_t)
{
   ProofShim::CallHook(nullptr, "SendAsynMessage", msg, 0);
}

// =====================================================================================
// proofshim compat: the rest of PROOF's public TProof API (docs/API.md). Methods accepted without
// effect or refused only name themselves: proofshim/compat.py holds the message and logs it.

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

// A macro compiled with another proofshim cache links to that cache's copy of this library by
// path; loading it would load a second copy, whose gProof and hooks are not the active ones. Each
// copy exports this symbol: a copy that finds another copy's one (loaded first, globally) says so.
extern "C" int proofshim_library_copy_anchor;
int proofshim_library_copy_anchor = 0;

static void WarnSecondCopy()
{
   void *first = dlsym(RTLD_DEFAULT, "proofshim_library_copy_anchor");
   Dl_info mine, theirs;
   // Not compared with &proofshim_library_copy_anchor: in a second copy that address is the
   // first copy's too (the symbol is interposed); the files of the two addresses tell them apart.
   if (!first) return;
   if (!dladdr((void *)&WarnSecondCopy, &mine) || !dladdr(first, &theirs)) return;
   if (!mine.dli_fname || !theirs.dli_fname || !strcmp(mine.dli_fname, theirs.dli_fname)) return;
   ::Error("proofshim",
           "a second copy of proofshim's C++ library is being loaded, from %s, beside the one this "
           "process uses (%s): a macro or library compiled with another proofshim cache links to it. "
           "Recompile that macro with '++' (e.g. .L run.C++) or delete its _C.so.",
           mine.dli_fname, theirs.dli_fname);
}

static int gWarnedSecondCopy = (WarnSecondCopy(), 0);

#endif // !__CLING__

// =====================================================================================
// process exit

#include "TClass.h"
#include "TROOT.h"
#include "TSystem.h"
#include <unistd.h>

namespace ProofShim {

// An object in gROOT's list of sockets: TROOT::EndOfProcessCleanups closes those first, before
// interpreted globals are destroyed and, on gSystem->Exit(), before exit() runs the libraries'
// destructors. After a session was opened (Arm), Close() gives crash signals their default action
// back: ROOT's crash handler prints a stack trace through malloc, which deadlocks after a heap
// corruption in a process that has run threads (dask's), so the process would never end.
// Under `proofshim run`, Close() also tells the supervising process that exit has begun.
class ExitGuard : public TObject {
   static ExitGuard *&Instance()
   {
      static ExitGuard *guard = nullptr;
      return guard;
   }
   Bool_t fArmed = kFALSE;
   Int_t fNoticeFd = -1;
   TString fNotice;

public:
   static ExitGuard *Get()
   {
      if (!Instance()) Instance() = new ExitGuard;
      return Instance();
   }
   static void Install()
   {
      // TROOT::CloseFiles looks TSocket up in the interpreter before it closes anything in this
      // list, and crashes when that information is missing; it cannot be loaded at exit.
      gSystem->Load("libNet");
      if (TClass *socket = TClass::GetClass("TSocket")) socket->GetClassInfo();
      if (!gROOT->GetListOfSockets()->FindObject(Get())) gROOT->GetListOfSockets()->Add(Get());
   }
   static void Uninstall()
   {
      if (Instance()) gROOT->GetListOfSockets()->Remove(Instance());
   }
   const char *GetName() const override { return "proofshim exit guard"; }
   static void Arm() { Get()->fArmed = kTRUE; }
   static void DefaultCrashSignals()
   {
      for (ESignals sig : {kSigSegmentationViolation, kSigBus, kSigIllegalInstruction, kSigAbort,
                           kSigFloatingException})
         gSystem->ResetSignal(sig, kTRUE);
   }
   static void SetNotice(Int_t fd, const char *text)
   {
      Get()->fNoticeFd = fd;
      Get()->fNotice = text ? text : "";
   }
   void Close()
   {
      if (fArmed) DefaultCrashSignals();
      if (fNoticeFd >= 0 && fNotice.Length()) {
         ssize_t n = ::write(fNoticeFd, fNotice.Data(), fNotice.Length());
         (void)n;
      }
      if (Instance() == this) Instance() = nullptr;   // ROOT deletes closed sockets
   }
   ClassDefOverride(ExitGuard, 0)
};

} // namespace ProofShim

#ifdef __ROOTCLING__
#pragma link C++ class ProofShim::ExitGuard+;
#pragma link C++ class TProof+;
#pragma link C++ class TDSet+;
#pragma link C++ class TDSetElement+;
#pragma link C++ class TProofServ+;
#pragma link C++ class TProofMgr+;
#pragma link C++ class TProofDesc+;
#pragma link C++ class TProofProgressInfo+;
#pragma link C++ class TProofLockPath+;
#pragma link C++ class TSlaveInfo+;
#pragma link C++ class TQueryResult+;
#pragma link C++ class TPerfEvent+;
#pragma link C++ class TProofLog;
#pragma link C++ class TProofLogElem;
#pragma link C++ function ProofShim::AddLines;
#pragma link C++ class TProofOutputFile+;
#pragma link C++ class TProofShimTreePlayer+;
#pragma link C++ namespace ProofShim;
#pragma link C++ class ProofShim::Runner;
#pragma link C++ class ProofShim::DrawEngine;
#pragma link C++ class ProofShim::DrawSelector;
#pragma link C++ function ProofShim::SetDrawResult;
#pragma link C++ function ProofShim::SetChainProof;
#pragma link C++ function ProofShim::ProofForTree;
#pragma link C++ function ProofShim::MissingSession;
#pragma link C++ function ProofShim::ProcessTree;
#pragma link C++ class ProofShim::TreeProxy;
#pragma link C++ function ProofShim::NumberOfProofChains;
#pragma link C++ function ProofShim::NewSelector;
#pragma link C++ function ProofShim::ClassIsSelector;
#pragma link C++ function ProofShim::EntryListEntries;
#pragma link C++ function ProofShim::MergeOutputLists;
#pragma link C++ function ProofShim::MapOutputToMembers;
#pragma link C++ function ProofShim::SetMembersFromOutput;
#pragma link C++ function ProofShim::CallHook;
#pragma link C++ function ProofShim::ObjectHook;
#pragma link C++ function ProofShim::ListOfProofs;
#pragma link C++ global gProof;
#pragma link C++ global gProofServ;
#endif
