// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// the hooks into Python (open, process, call, object) and the calls through them.

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

} // namespace ProofShim
