// proofshim internals shared by the client and the workers: the hooks through which the C++ PROOF
// classes reach the Python implementation, the registry of chains tied to a session, the tree
// player that diverts TChain::Process, and the worker's event loop.
#ifndef PROOFSHIM_CORE_H
#define PROOFSHIM_CORE_H

#include "TTreePlayer.h"
#include "TSelector.h"
#include "TSelectorDraw.h"
#include "TList.h"
#include "TString.h"

class TPair;
class TMap;
typedef struct _object PyObject;   // as Python.h declares it

#include <atomic>
#include <functional>
#include <vector>

class TProof;
class TFile;
class TTree;
class TChain;
class TEntryList;
class TDirectory;
class TH1;
class TKey;

namespace ProofShim {

// ---- hooks, set from Python (proofshim/patches.py, install()). Unset hooks make the C++ call fail with -1.
// Open("url\nconffile\nconfdir", loglevel) -> session object (TProof::Open's four arguments).
extern std::function<TProof *(const char *, Int_t)> gOpenHook;
// Process(session, kind, data, selector, selector object, option, nentries, first, extra)
// kind: "tree" (data is the TTree/TChain), "dset" (TDSet), "fc" (TFileCollection),
// "dsname" (data is a TObjString with the name), "cycle" (no data).
extern std::function<Long64_t(TProof *, const char *, TObject *, const char *, TSelector *, const char *,
                              Long64_t, Long64_t, TObject *)> gProcessHook;
// Call(session, method, string argument, integer argument) for the remaining session methods.
extern std::function<Long64_t(TProof *, const char *, const char *, Long64_t)> gCallHook;

// Set the four hooks above to Python callables (proofshim/patches.py), which receive C++ objects as
// addresses and return integers (addresses for objects); compiled calls through the Python C API,
// no JIT-compiled wrapper per hook. False when the Python C API cannot be found in the process.
Bool_t SetPythonHooks(PyObject *open, PyObject *process, PyObject *call, PyObject *object);
// Unset the hooks: the C++ calls fail with -1 again ("proofshim is not active").
void   ClearPythonHooks();

// Sessions opened in this process (what TROOT::GetListOfProofs() returned before ROOT 6.40).
TList *ListOfProofs();

// ---- the exit guard (ProofShimExitGuard.cxx), for Python. Free functions: using its class from
// Python would make cling parse every PROOF header at `import proofshim` (the class's autoparse).
void ExitGuardInstall();
void ExitGuardUninstall();
// After a session was opened: crash signals get their default action back at exit.
void ExitGuardArm();
void ExitGuardDefaultCrashSignals();
// Under `proofshim run`: write `text` to `fd` once exit has begun.
void ExitGuardSetNotice(Int_t fd, const char *text);

// ObjectCall(session, method, string argument, object argument) -> object, for methods returning objects.
extern std::function<TObject *(TProof *, const char *, const char *, TObject *)> gObjectHook;

Long64_t CallHook(TProof *p, const char *method, const char *sarg = "", Long64_t iarg = 0);
TObject *ObjectHook(TProof *p, const char *method, const char *sarg, TObject *obj = nullptr);

// ---- chains tied to a session by SetProof()
// A session opened with gROOT->Proof() (RootProof below) carries this bit: every TChain then
// processes on it, as in PROOF's original design, unless the chain was given SetProof(kFALSE).
constexpr UInt_t kChainsFollowSession = BIT(20); // above PROOF's TProof::EStatusBits (14..19)
// What `gROOT->Proof(url)` does (TROOT::Proof is gone from ROOT 6.40; proofshim/macros.py rewrites
// the call to this, Python gets gROOT.Proof): TProof::Open(url), then chains follow the session.
TProof *RootProof(const char *url = "");
Int_t   SetChainProof(TTree *chain, Bool_t on);
// The session a tree's Process/Draw goes to: gProof for a chain given SetProof() (PROOF's rule:
// the session of the time of Process, not of SetProof), the session of TProof::AddChain, or a
// gROOT->Proof() gProof for a TChain never given SetProof(kFALSE); nullptr: process locally.
TProof *ProofForTree(TTree *tree);
// True (after printing PROOF's error) when the chain was given SetProof() but no session is open:
// Process/Draw then return -1, as PROOF's did, instead of running in this process.
Bool_t  MissingSession(TTree *tree, const char *method);
void    ForgetSession(TProof *proof);
void    ForgetTree(TObject *tree);
Int_t   NumberOfProofChains();

// What a legacy macro's `chain->SetProof(...)` is rewritten to (proofshim/macros.py): ROOT 6.40's
// TChain has no SetProof member any more.
class ChainProxy {
   TTree *fTree;
public:
   explicit ChainProxy(TTree *tree) : fTree(tree) {}
   void SetProof(Bool_t on = kTRUE, Bool_t refresh = kFALSE, Bool_t gettreeheader = kFALSE)
   {
      (void)refresh;
      (void)gettreeheader;
      SetChainProof(fTree, on);
   }
};
inline ChainProxy Chain(TTree *tree) { return ChainProxy(tree); }

// The entries of `tree` in directory `dir` of `file`, or -1 with `error` set ("cannot open file ...",
// "directory ... not found", "tree ... not found"): counting before a query, in compiled code.
Long64_t   CountTree(const char *file, const char *dir, const char *tree, TString &error);

// Object data sets: the keys of `dir` in `file` as "class\tname" lines, in the file's order;
// returns the number of keys, or -1 with `error` set.
Long64_t   ListKeys(const char *file, const char *dir, TString &lines, TString &error);

// TPacketizerFile's PROOF_FilesToProcess (host -> list of TObjString/TFileInfo file names, or a
// TFileCollection): one "host\tname" line per file, in the map's order; returns the number of
// files (-1 without a map); the classes of entries that are not file names go to `unsupported`.
Int_t      FilesToProcess(const TMap *map, TString &lines, TString &unsupported);

// ---- helpers for the client
// Whether `obj` is the object TProof::SetParameter made under its name (and not one given with
// AddInput): messages about PROOF parameters name the call that set them.
Bool_t     MadeBySetParameter(const TObject *obj);
TSelector *NewSelector(const char *classname, TString &error);
Bool_t     ClassIsSelector(const char *classname);
// The entry numbers of one (sub-)entry list, in order.
void       EntryListEntries(TEntryList *list, std::vector<Long64_t> &out);
// Move the objects of `part` into `out`, merging same-named ones as PROOF did. `part` is emptied.
void       MergeOutputLists(TList *out, TList *parts);
// Pointer data members of `sel` that point at objects of its output list: TList of TNamed(member, object).
TList     *MapOutputToMembers(TSelector *sel);
// Re-point the members recorded by MapOutputToMembers at the same-named objects of `output`.
Int_t      SetMembersFromOutput(TSelector *sel, TList *map, TList *output);

// ---- the worker's event loop: one Runner per query and worker slot
class Runner {
public:
   // kError: the selector failed (an exception); kDataError: the packet's file, directory or tree
   // (or a friend's) could not be opened: the client skips the rest of that file or fails.
   enum EResult { kOk = 0, kAbortedProcess = 1, kAbortedFile = 2, kStopped = 3, kError = 4, kDataError = 5 };

private:
   TSelector *fSelector = nullptr;
   TList     *fInput = nullptr;   // owned
   TString    fOption;
   TFile     *fFile = nullptr;
   TTree     *fTree = nullptr;
   TString    fFileName, fTreeName, fDirName;
   TString    fFriends;           // "alias\tfile\ttree\n" lines for the next tree opened
   TString    fFriendsOpened;     // the friends attached to the current tree
   TList      fFriendFiles;       // files of the friends of the current tree
   // Read from another thread (the worker's event loop: progress probes) while the loop runs.
   std::atomic<Long64_t> fProcessed{0};
   std::atomic<Long64_t> fLastEntry{-1};   // entry being processed (when the packet ended: the last one)
   std::atomic<int> fStop{0};   // 1: soft stop, 2: abort; set from another thread, checked before every entry
   Long64_t   fBytesRead = 0;
   TString    fError;
   Int_t      fInitCalls = 0;
   Bool_t     fBegun = kFALSE;
   Bool_t     fUseTreeCache = kTRUE;
   Long64_t   fCacheSize = -1;
   // The query's entries [first, end) of the file the next piece opens (end -1: unknown), set by
   // RunTreePieces: the tree cache of a freshly opened file reads no further than them.
   Long64_t   fCacheFirst = 0;
   Long64_t   fCacheEnd = -1;
   TPair     *fCurrentElement = nullptr; // "PROOF_CurrentElement" in fInput: the packet being run
   TDirectory *fObjDir = nullptr;       // object data sets: the directory whose keys are read
   std::vector<TKey *> fKeys;           // its keys, in the file's order
   const Long64_t *fKeyPos = nullptr;   // during an object packet: key position of each object
   TObject   *fObject = nullptr;        // the object handed to the selector last (owned)

   Long64_t   fTreeEntries = -1;            // entries of the tree of the last tree packet
   Int_t      fPiecesRun = 0;               // pieces RunTreePieces started
   TString    fPieceErrors;                 // "piece\terror" lines of the pieces whose file ended early

   // Open the tree (`fresh`: it was not open already); InitTree runs Init and Notify on it.
   Int_t OpenTree(const char *file, const char *dir, const char *tree, Bool_t &fresh);
   Int_t InitTree();
   Int_t OpenObjectDir(const char *file, const char *dir);
   void  ReadObjectAt(Long64_t pos);
   Int_t Loop(Long64_t first, Long64_t num, const Long64_t *entries = nullptr);
   Int_t AttachFriends();
   void  SetCurrentElement(const char *file, const char *objname, const char *dir, Long64_t first,
                           Long64_t num);

public:
   // StopProcess for this runner's query only (other queries sharing the process go on):
   // 1 ends the running packet at its next entry, 2 aborts it. Callable from any thread.
   void  RequestStop(Int_t level) { fStop.store(level); }
   Int_t GetStopLevel() const { return fStop.load(); }

   Runner(TSelector *sel, TList *input, const char *option);
   ~Runner();

   Int_t    Begin();
   // Entries [first, first+num) of the tree; `upToEnd`: those of them the tree has (a file not
   // counted before; GetTreeEntries then says how many it holds).
   Int_t    RunTreePacket(const char *file, const char *dir, const char *tree, Long64_t first, Long64_t num,
                          Bool_t upToEnd = kFALSE);
   // A packet of several pieces (files), one per line: "file\tdirectory\ttree\tfirst\tnum\tprobe"
   // (directory "." for none, probe 1: RunTreePacket's upToEnd), optionally followed by
   // "\tqueryfirst\tqueryend": the query's range of that file, which bounds the tree cache's reads
   // (a 1,000-entry query otherwise fills a whole cache, ~30 MB). Each piece is a PROOF packet to
   // the selector (its own PROOF_CurrentElement); a piece whose file cannot be read (kDataError) or
   // whose rest the selector skipped (kAbortedFile) ends there and the next piece runs; any other
   // result but kOk ends the packet and is returned. out[kPieceFields * i + ...] of piece i:
   // status, entries processed, last entry, start (us since the epoch), wall ns, thread CPU ns,
   // bytes read, entries of its tree (-1: not opened). GetPiecesRun, GetPieceErrors say the rest.
   static constexpr Int_t kPieceFields = 8;
   Int_t    RunTreePieces(const char *pieces, Long64_t *out);
   Int_t    GetPiecesRun() const { return fPiecesRun; }
   const char *GetPieceErrors() const { return fPieceErrors; }
   // Cycles [first, first+num); `file`: the one file of a TPacketizerFile packet (PROOF_CurrentElement).
   Int_t    RunCyclePacket(Long64_t first, Long64_t num, const char *file = "");
   // Entries [first, first+num) of `entries` (tree-local numbers from an entry list).
   Int_t    RunListPacket(const char *file, const char *dir, const char *tree, const Long64_t *entries,
                          Long64_t first, Long64_t num);
   // Object data sets (TDSet of a non-tree class): objects [first, first+num) of a file, object i
   // being the key at position keypos[i] of the directory's key list (the client chose the keys);
   // each is read, given to SetObject, then Process(i) runs, as PROOF's TEventIterObj did.
   Int_t    RunObjectPacket(const char *file, const char *dir, const Long64_t *keypos, Long64_t first,
                            Long64_t num);
   void     SetFriends(const char *spec) { fFriends = spec; }
   Int_t    End();
   void     CloseFile();
   void     SetTreeCache(Bool_t use, Long64_t size) { fUseTreeCache = use; fCacheSize = size; }

   TSelector  *GetSelector() const { return fSelector; }
   TList      *GetOutputList() const { return fSelector ? fSelector->GetOutputList() : nullptr; }
   Long64_t    GetProcessed() const { return fProcessed.load(std::memory_order_relaxed); }
   Long64_t    GetLastEntry() const { return fLastEntry.load(std::memory_order_relaxed); }
   Long64_t    GetBytesRead() const { return fBytesRead; }
   // Entries of the tree the last tree packet opened (-1 when it could not be opened).
   Long64_t    GetTreeEntries() const { return fTreeEntries; }
   const char *GetError() const { return fError; }
   Int_t       GetInitCalls() const { return fInitCalls; }
};

// ---- TTree::Draw in parallel (proofshim/draw.py). ROOT's own TSelectorDraw evaluates the
// expressions and builds the objects on both sides, so binning and titles are exactly a local Draw's.
class DrawEngine : public TSelectorDraw {
   TList fDrawInput;   // owns the varexp/selection TNamed's Begin reads
public:
   DrawEngine() { fDrawInput.SetOwner(); }
   ~DrawEngine() override {}
   // TSelectorDraw::Begin on `tree`; the object lands in gDirectory as with TTree::Draw. 0 or -1.
   Int_t    Start(TTree *tree, const char *varexp, const char *selection, const char *option);
   Int_t    GetActionCode() const { return fAction; }
   // The object's axes still wait for the data's limits (automatic binning).
   Bool_t   NeedsLimits() const;
   // Treat a 2-D scatter plot (TGraph of the points) as the 2-D histogram of the points.
   void     ScatterAsHistogram();
   // Fold the rows filled so far into per-dimension minima/maxima, count them, and drop them.
   void     Collect(Double_t *mins, Double_t *maxs);
   // Fix the axes exactly as TSelectorDraw would from data spanning [mins, maxs]; contents stay empty.
   void     Estimate(const Double_t *mins, const Double_t *maxs);
   // Fill what is still buffered into the object.
   void     Flush();
   void     SetSelectedRows(Long64_t n) { fSelectedRows = n; }
   void     SetDrawTree(TTree *tree) { fTree = tree; }
   ClassDefOverride(DrawEngine, 0)
};

// The worker side of a parallel Draw. Input: TNamed "PROOFSHIM_Draw" (title "limits" or "fill"),
// "varexp" (the expression, without ">>"), "selection"; for "fill" also a TList "PROOFSHIM_DrawTarget"
// holding the empty object to fill. Output: per-dimension "PROOFSHIM_DrawMin<i>"/"Max<i>" TParameters
// (merged as minimum/maximum), or the filled object; "PROOFSHIM_DrawRows" in both cases.
class DrawSelector : public TSelector {
   DrawEngine *fEngine = nullptr;
   TTree      *fTree = nullptr;
   TDirectory *fDir = nullptr;     // private home of the object being filled
   TObject    *fTarget = nullptr;
   TString     fTargetName;
   Bool_t      fLimits = kFALSE;
   Long64_t    fRows = 0;
   Int_t       fDim = 0;
   Double_t    fMin[4], fMax[4];
   void FinishEngine();
public:
   DrawSelector() {}
   ~DrawSelector() override;
   Int_t  Version() const override { return 2; }
   void   SlaveBegin(TTree *) override;
   void   Init(TTree *tree) override;
   Bool_t Notify() override;
   Bool_t Process(Long64_t entry) override;
   void   SlaveTerminate() override;
   // The Runner is about to close the current tree's file.
   void   TreeClosing();
   ClassDefOverride(DrawSelector, 0)
};

// After a parallel Draw of a chain: what GetHistogram()/GetSelectedRows() of the chain return.
void SetDrawResult(TTree *tree, TH1 *histogram, Long64_t rows);

} // namespace ProofShim

// Tree player installed with TVirtualTreePlayer::SetPlayer: a chain tied to a session by SetProof()
// sends Process() to that session, whether the call comes from Python or from C++.
class TProofShimTreePlayer : public TTreePlayer {
public:
   TProofShimTreePlayer() {}
   ~TProofShimTreePlayer() override {}
   Long64_t Process(const char *filename, Option_t *option, Long64_t nentries, Long64_t firstentry) override;
   Long64_t Process(TSelector *selector, Option_t *option, Long64_t nentries, Long64_t firstentry) override;
   Long64_t DrawSelect(const char *varexp, const char *selection, Option_t *option, Long64_t nentries,
                       Long64_t firstentry) override;
   void     SetDrawResult(TH1 *histogram, Long64_t rows) { fHistogram = histogram; fSelectedRows = rows; }
   ClassDefOverride(TProofShimTreePlayer, 0)
};

#endif
