// proofshim: the PROOF session class, as legacy code knows it.
//
// ROOT 6.40 no longer ships PROOF. This header gives legacy macros and selectors the
// TProof API they were written against; every call that needs a cluster is forwarded to
// proofshim's Python implementation (see ProofShimCore.h), so Python and C++ share one session.
//
// Like PROOF's TProof.h it brings in TProofMgr.h, TProofDebug.h, TMacro.h (hence TObjString),
// TUrl.h, TMD5.h, TRegexp.h, TSysEvtHandler.h, TThread.h, TStopwatch.h, MessageTypes.h and <map>,
// declares TSlaveInfo, TProofProgressInfo, PROOF's kPROOF_* constants and gProofMutex, and the
// collections legacy drivers build around a session (TMap, THashList, TObjString).
#ifndef ROOT_TProof
#define ROOT_TProof

#include "TProofMgr.h"
#include "TProofDebug.h"
#include "TSlaveInfo.h"
#include "TNamed.h"
#include "TQObject.h"
#include "TList.h"
#include "THashList.h"
#include "TMap.h"
#include "TObjString.h"
#include "TParameter.h"
#include "TString.h"
#include "TCollection.h"
#include "TMacro.h"
#include "MessageTypes.h"
#include "TMD5.h"
#include "TRegexp.h"
#include "TSysEvtHandler.h"
#include "TThread.h"
#include "TUrl.h"
#include "TStopwatch.h"

#include <map>

#define CANNOTUSE(x) Info(x,"Not manager: cannot use this method")

class TDSet;
class TChain;
class TTree;
class TSelector;
class TFileCollection;
class TQueryResult;
class TVirtualMutex;
class TProofServ;
class TDrawFeedback;   // PROOF's draw feedback: not in ROOT 6.40, only pointers to it are passed

// PROOF's magic constants, with PROOF 6's values
const Int_t       kPROOF_Protocol        = 36;            // protocol version number
const Int_t       kPROOF_Port            = 1093;          // IANA registered PROOF port
const char* const kPROOF_ConfFile        = "proof.conf";  // default config file
const char* const kPROOF_ConfDir         = "/usr/local/root";  // default config dir
const char* const kPROOF_WorkDir         = ".proof";      // default working directory (the sandbox, under $HOME)
const char* const kPROOF_CacheDir        = "cache";       // file cache dir, under WorkDir
const char* const kPROOF_PackDir         = "packages";    // package dir, under WorkDir
const char* const kPROOF_PackDownloadDir = "downloaded";  // subdir with downloaded PARs, under PackDir
const char* const kPROOF_QueryDir        = "queries";     // query dir, under WorkDir
const char* const kPROOF_DataSetDir      = "datasets";    // dataset dir, under WorkDir
const char* const kPROOF_DataDir         = "data";        // dir for produced data, under WorkDir
const char* const kPROOF_CacheLockFile   = "proof-cache-lock-";   // cache lock file
const char* const kPROOF_PackageLockFile = "proof-package-lock-"; // package lock file
const char* const kPROOF_QueryLockFile   = "proof-query-lock-";   // query lock file
const char* const kPROOF_TerminateWorker = "+++ terminating +++"; // signal worker termination in MarkBad
const char* const kPROOF_WorkerIdleTO    = "+++ idle-timeout +++"; // signal worker idle timeout in MarkBad
const char* const kPROOF_InputDataFile   = "inputdata.root";      // default input data file name
const char* const kPROOF_MissingFiles    = "MissingFiles";        // missing file list name
const Long64_t    kPROOF_DynWrkPollInt_s = 10;  // minimum seconds between two polls for dynamic workers

#ifndef R__WIN32
const char* const kCP     = "/bin/cp -fp";
const char* const kRM     = "/bin/rm -rf";
const char* const kLS     = "/bin/ls -l";
const char* const kUNTAR  = "%s -c %s/%s | (cd %s; tar xf -)";
const char* const kUNTAR2 = "%s -c %s | (cd %s; tar xf -)";
const char* const kUNTAR3 = "%s -c %s | (tar xf -)";
const char* const kGUNZIP = "gunzip";
#else
const char* const kCP     = "copy";
const char* const kRM     = "delete";
const char* const kLS     = "dir";
const char* const kUNTAR  = "...";
const char* const kUNTAR2 = "...";
const char* const kUNTAR3 = "...";
const char* const kGUNZIP = "gunzip";
#endif

// PROOF's lock of its internal state; proofshim has none (nullptr: R__LOCKGUARD does nothing).
R__EXTERN TVirtualMutex *gProofMutex;

typedef void (*PrintProgress_t)(Long64_t tot, Long64_t proc, Float_t proctime, Long64_t bytes);

// The progress of a query, as PROOF's progress messages carried it.
class TProofProgressInfo : public TObject {
public:
   Long64_t  fTotal;       // total number of events to process
   Long64_t  fProcessed;   // number of events processed
   Long64_t  fBytesRead;   // number of bytes read
   Float_t   fInitTime;    // time for initialization
   Float_t   fProcTime;    // time for processing
   Float_t   fEvtRateI;    // instantaneous event rate
   Float_t   fMBRateI;     // instantaneous byte read rate
   Int_t     fActWorkers;  // number of workers still active
   Int_t     fTotSessions; // number of PROOF sessions running currently on the cluster
   Float_t   fEffSessions; // effective number of sessions on the machines of this session
   TProofProgressInfo(Long64_t tot = 0, Long64_t proc = 0, Long64_t bytes = 0, Float_t initt = -1.,
                      Float_t proct = -1., Float_t evts = -1., Float_t mbs = -1., Int_t actw = 0,
                      Int_t tsess = 0, Float_t esess = 0.)
      : fTotal(tot), fProcessed(proc), fBytesRead(bytes), fInitTime(initt), fProcTime(proct), fEvtRateI(evts),
        fMBRateI(mbs), fActWorkers(actw), fTotSessions(tsess), fEffSessions(esess) {}
   ~TProofProgressInfo() override {}
   ClassDefOverride(TProofProgressInfo, 1) // Progress information
};

class TProof : public TNamed, public TQObject {
private:
   Int_t    fSessionId = -1;    // key of the Python session behind this object
   TString  fUrl;               // URL given to Open
   TString  fSessionTag;        // unique tag of this session
   Bool_t   fValid = kFALSE;
   Bool_t   fLite = kTRUE;
   Int_t    fParallel = 0;      // active workers
   Int_t    fLogLevel = 0;
   TList   *fInput = nullptr;   // input list: parameters and objects for every worker
   TList   *fOutput = nullptr;  // merged output list of the last query
   TList   *fInputData = nullptr; // objects added with AddInputData
   TString  fInputDataFile;     // file whose objects go to every worker's input list
   TList   *fQueries = nullptr; // TQueryResult of every query of this session
   TList   *fSlaveInfo = nullptr;
   TList   *fPackageNames = nullptr; // filled by GetListOfPackages / GetListOfEnabledPackages
   TList   *fPackageOpts = nullptr;  // load options of the EnablePackage call being forwarded
   TList   *fFeedback = nullptr;     // names (TObjString) of the output objects sent as feedback
   TMacro  *fMacroLog = nullptr;     // lines fetched by GetLog (owned)
   Bool_t   fLogToWindowOnly = kFALSE; // ShowLog emits LogMessage instead of printing

   TProof(const TProof &) = delete;
   TProof &operator=(const TProof &) = delete;

public:
   // PROOF's enums, with PROOF's values (tests/test_tutorial_forms.py checks each from C++ and Python)
   enum EStatusBits {
      kUsingSessionGui   = BIT(14),
      kNewInputData      = BIT(15),
      kIsClient          = BIT(16),
      kIsMaster          = BIT(17),
      kIsTopMaster       = BIT(18),
      kUseProgressDialog = BIT(19)
   };
   enum EUploadOpt {
      kAppend             = 0x1,
      kOverwriteDataSet   = 0x2,
      kNoOverwriteDataSet = 0x4,
      kOverwriteAllFiles  = 0x8,
      kOverwriteNoFiles   = 0x10,
      kAskUser            = 0x0
   };
   enum ERegisterOpt { kFailIfExists = 0, kOverwriteIfExists = 1, kMergeIfExists = 2 };
   enum EUploadPackageOpt { kUntar = 0x0, kRemoveOld = 0x1 };
   enum ESubMerger {
      kOutputSize  = 1,
      kSendOutput  = 2,
      kBeMerger    = 3,
      kMergerDown  = 4,
      kStopMerging = 5,
      kOutputSent  = 6
   };

   TProof();
   TProof(const char *url, Int_t sessionid, const char *tag, Bool_t lite, Int_t loglevel = 0);
   virtual ~TProof();

   // -- opening and closing
   static TProof *Open(const char *url = nullptr, const char *conffile = nullptr,
                       const char *confdir = nullptr, Int_t loglevel = 0);
   static void    Reset(const char *url, Bool_t hard = kFALSE);
   void           Close(Option_t *option = "");
   void           Print(Option_t *option = "") const override;
   void           RecursiveRemove(TObject *obj) override;

   Int_t          SetParallel(Int_t nodes = -1, Bool_t random = kFALSE);
   Int_t          GetParallel() const { return fValid ? fParallel : -1; }
   Bool_t         IsValid() const { return fValid; }
   Bool_t         IsLite() const { return fLite; }
   Bool_t         IsMaster() const { return kFALSE; }
   const char    *GetSessionTag() const { return fSessionTag; }
   const char    *GetUrl() { return fUrl; }
   const char    *GetMaster() const { return fUrl; }
   Int_t          GetLogLevel() const { return fLogLevel; }
   void           SetLogLevel(Int_t level, UInt_t mask = 0xFFFFFFFF);

   // -- processing; all return -1 on error
   Long64_t Process(TDSet *dset, const char *selector, Option_t *option = "",
                    Long64_t nentries = -1, Long64_t firstentry = 0);
   Long64_t Process(TFileCollection *fc, const char *selector, Option_t *option = "",
                    Long64_t nentries = -1, Long64_t firstentry = 0);
   Long64_t Process(const char *dsetname, const char *selector, Option_t *option = "",
                    Long64_t nentries = -1, Long64_t firstentry = 0, TObject *enl = nullptr);
   Long64_t Process(const char *selector, Long64_t nentries, Option_t *option = "");
   Long64_t Process(TDSet *dset, TSelector *selector, Option_t *option = "",
                    Long64_t nentries = -1, Long64_t firstentry = 0);
   Long64_t Process(TFileCollection *fc, TSelector *selector, Option_t *option = "",
                    Long64_t nentries = -1, Long64_t firstentry = 0);
   Long64_t Process(const char *dsetname, TSelector *selector, Option_t *option = "",
                    Long64_t nentries = -1, Long64_t firstentry = 0, TObject *enl = nullptr);
   Long64_t Process(TSelector *selector, Long64_t nentries, Option_t *option = "");
   Long64_t DrawSelect(TDSet *dset, const char *varexp, const char *selection = "", Option_t *option = "",
                       Long64_t nentries = -1, Long64_t firstentry = 0);
   Long64_t DrawSelect(const char *dsetname, const char *varexp, const char *selection = "",
                       Option_t *option = "", Long64_t nentries = -1, Long64_t firstentry = 0,
                       TObject *enl = nullptr);
   void     StopProcess(Bool_t abort, Int_t timeout = -1);

   // -- monitoring: feedback objects (every PROOF_FeedbackPeriod ms, merged) and progress
   void     AddFeedback(const char *name);
   void     RemoveFeedback(const char *name);
   void     ClearFeedback();
   void     ShowFeedback() const;
   TList   *GetFeedbackList() const { return fFeedback; }
   void     Progress(Long64_t total, Long64_t processed); // *SIGNAL*
   void     Progress(Long64_t total, Long64_t processed, Long64_t bytesread, Float_t initTime,
                     Float_t procTime, Float_t evtrti, Float_t mbrti); // *SIGNAL*
   void     Progress(Long64_t total, Long64_t processed, Long64_t bytesread, Float_t initTime,
                     Float_t procTime, Float_t evtrti, Float_t mbrti, Int_t actw, Int_t tses,
                     Float_t eses); // *SIGNAL*
   void     Feedback(TList *objs); // *SIGNAL*

   // -- input list and parameters
   void     AddInput(TObject *obj);
   void     ClearInput();
   TList   *GetInputList() { return fInput; }
   TObject *GetInput(const char *name);
   void     SetParameter(const char *par, const char *value);
   void     SetParameter(const char *par, Int_t value);
   void     SetParameter(const char *par, Long_t value);
   void     SetParameter(const char *par, Long64_t value);
   void     SetParameter(const char *par, Double_t value);
   TObject *GetParameter(const char *par) const;
   void     DeleteParameters(const char *wildcard);
   void     ShowParameters(const char *wildcard = "PROOF_*") const;
   static Int_t GetParameter(TCollection *c, const char *par, TString &value);
   static Int_t GetParameter(TCollection *c, const char *par, Int_t &value);
   static Int_t GetParameter(TCollection *c, const char *par, Long_t &value);
   static Int_t GetParameter(TCollection *c, const char *par, Long64_t &value);
   static Int_t GetParameter(TCollection *c, const char *par, Double_t &value);

   void     AddInputData(TObject *obj, Bool_t push = kFALSE);
   void     SetInputDataFile(const char *datafile);
   void     ClearInputData(TObject *obj = nullptr);
   void     ClearInputData(const char *name);
   TList   *GetInputData() { return fInputData; }
   const char *GetInputDataFile() const { return fInputDataFile; }

   // -- output and queries
   TList   *GetOutputList() { return fOutput; }
   TObject *GetOutput(const char *name);
   TQueryResult *GetQueryResult(const char *ref = nullptr);
   TList   *GetQueryResults() { return fQueries; }
   void     ShowQueries(Option_t *opt = "");

   // -- logs: what the workers printed (stdout and stderr) during the queries, kept per query
   // ShowLog(-1): what was not shown yet (after a query: its log); 0: the whole session;
   // -2: the last query; n > 0: query n. ShowLog("ref"): the query of that reference.
   void     ShowLog(Int_t qry = -1);
   void     ShowLog(const char *queryref);
   // A new TMacro (the caller deletes it) with the lines not shown yet, i.e. after a query its
   // log; nullptr when there is none.
   TMacro  *GetLastLog();
   // Append lines [start, end] (0-based, end -1: to the last) of the session's log to
   // GetMacroLog(); start -1: the lines no earlier GetLog fetched.
   void     GetLog(Int_t start = -1, Int_t end = -1);
   TMacro  *GetMacroLog() { return fMacroLog; }
   void     PutLog(TQueryResult *qr);
   void     LogMessage(const char *msg, Bool_t all); //*SIGNAL*
   Bool_t   SendingLogToWindow() const { return fLogToWindowOnly; }
   void     SendLogToWindow(Bool_t mode) { fLogToWindowOnly = mode; }
   // GetManager()->GetSessionLogs() gives every worker's log (GetManager: see the compat block).

   // -- named data sets (kept in proofshim's local data set store)
   Bool_t   RegisterDataSet(const char *name, TFileCollection *dataset, const char *optStr = "");
   Bool_t   ExistsDataSet(const char *dataset);
   TFileCollection *GetDataSet(const char *dataset, const char *optStr = "");
   void     ShowDataSets(const char *uri = "", const char *optStr = "");
   Int_t    RemoveDataSet(const char *dataset, const char *optStr = "");

   // -- workers
   TList   *GetListOfSlaveInfos();
   Int_t    Exec(const char *cmd, Bool_t plusMaster = kFALSE);
   Int_t    Load(const char *macro, Bool_t notOnClient = kFALSE, Bool_t uniqueOnly = kTRUE,
                 TList *wrks = nullptr);

   // -- packages (PAR files): shipped to every worker host, built once per host, SETUP per process
   Int_t    UploadPackage(const char *par, EUploadPackageOpt opt = kUntar, TList *workers = nullptr);
   Int_t    EnablePackage(const char *package, Bool_t notOnClient = kFALSE, TList *workers = nullptr);
   Int_t    EnablePackage(const char *package, const char *loadopts, Bool_t notOnClient = kFALSE,
                          TList *workers = nullptr);
   Int_t    EnablePackage(const char *package, TList *loadopts, Bool_t notOnClient = kFALSE,
                          TList *workers = nullptr);
   Int_t    ClearPackage(const char *package);
   Int_t    ClearPackages();
   Int_t    DisablePackage(const char *package) { return ClearPackage(package); }
   Int_t    DisablePackages() { return ClearPackages(); }
   void     ShowPackages(Bool_t all = kFALSE, Bool_t redirlog = kFALSE);
   void     ShowEnabledPackages(Bool_t all = kFALSE);
   TList   *GetListOfPackages();
   TList   *GetListOfEnabledPackages();

   static void AddEnvVar(const char *name, const char *value);
   static void DelEnvVar(const char *name);
   static const TList *GetEnvVars();
   static void ResetEnvVars();

   // -- used by proofshim's Python side only
   Int_t    GetSessionId() const { return fSessionId; }
   void     SetValid(Bool_t valid) { fValid = valid; }
   void     SetParallelCount(Int_t n) { fParallel = n; }
   void     ArchiveOutput();
   void     AddQueryResult(TQueryResult *qr);
   void     AddSlaveInfo(const char *ordinal, const char *host, Int_t status, const char *datadir = "");
   void     AddPackageName(const char *name);
   TList   *GetPackageLoadOpts() const { return fPackageOpts; }
   // Emits the three Progress signals, so that slots connected to any of them are called.
   void     EmitProgress(Long64_t total, Long64_t processed, Long64_t bytesread, Float_t initTime,
                         Float_t procTime, Float_t evtrti, Float_t mbrti, Int_t actw);

   // =================================================================================
   // ---- proofshim compat: the rest of PROOF's public API, with PROOF's signatures.
   // docs/API.md says for each whether it is supported, accepted without effect (one Info line)
   // or refused (one Error line, PROOF's failure value); tests/test_api_coverage.py keeps it true.
   enum EQueryMode { kSync = 0, kAsync = 1 };
   enum ERunStatus { kRunning = 0, kStopped = 1, kAborted = 2 };
   enum EProofClearData { kPurge = 0x1, kUnregistered = 0x2, kDataset = 0x4, kForceClear = 0x8 };

   void        cd(Int_t id = -1);
   Int_t       Ping();
   void        Touch();
   TString     Getenv(const char *env, const char *ord = "0");
   Int_t       GetRC(const char *RCenv, Int_t &env, const char *ord = "0");
   Int_t       GetRC(const char *RCenv, Double_t &env, const char *ord = "0");
   Int_t       GetRC(const char *RCenv, TString &env, const char *ord = "0");
   Int_t       Echo(const TObject *obj);
   Int_t       Echo(const char *str);

   // -- queries (they run synchronously: a finished query is already finalized and retrieved)
   Int_t       Archive(Int_t query, const char *url);
   Int_t       Archive(const char *queryref, const char *url = nullptr);
   Int_t       CleanupSession(const char *sessiontag);
   Long64_t    Finalize(Int_t query = -1, Bool_t force = kFALSE);
   Long64_t    Finalize(const char *queryref, Bool_t force = kFALSE);
   Int_t       Remove(Int_t query, Bool_t all = kFALSE);
   Int_t       Remove(const char *queryref, Bool_t all = kFALSE);
   Int_t       Retrieve(Int_t query, const char *path = nullptr);
   Int_t       Retrieve(const char *queryref, const char *path = nullptr);
   void        DisableGoAsyn();
   void        GoAsynchronous();
   EQueryMode  GetQueryMode(Option_t *mode = nullptr) const;
   void        SetQueryMode(EQueryMode mode);
   TList      *GetListOfQueries(Option_t *opt = "");
   Int_t       GetNumberOfQueries();
   Int_t       GetNumberOfDrawQueries();
   void        GetMaxQueries();
   void        SetMaxDrawQueries(Int_t max);
   Int_t       GetSeqNum() const;
   Int_t       GetStatus() const;
   ERunStatus  GetRunStatus() const;
   Bool_t      IsIdle() const { return fNotIdle <= 0; }
   Bool_t      IsWaiting() const { return kFALSE; }
   void        GetStatistics(Bool_t verbose = kFALSE);
   Long64_t    GetBytesRead() const;
   Float_t     GetRealTime() const;
   Float_t     GetCpuTime() const;
   static TObject *GetOutput(const char *name, TList *out);
   TList      *GetOutputNames();
   void        ShowMissingFiles(TQueryResult *qr = nullptr);
   TFileCollection *GetMissingFiles(TQueryResult *qr = nullptr);
   TTree      *GetTreeHeader(TDSet *tdset);
   Bool_t      IsDataReady(Long64_t &totalbytes, Long64_t &bytesready);
   void        SetRealTimeLog(Bool_t on = kTRUE);
   void        SetPrintProgress(PrintProgress_t pp);
   void        SetProgressDialog(Bool_t on = kTRUE);
   void        ResetProgressDialogStatus();
   Int_t       SavePerfTree(const char *pf = nullptr, const char *qref = nullptr);
   void        SetPerfTree(const char *pf = "perftree.root", Bool_t withWrks = kFALSE);
   TDrawFeedback *CreateDrawFeedback();
   void        SetDrawFeedbackOption(TDrawFeedback *f, Option_t *opt);
   void        DeleteDrawFeedback(TDrawFeedback *f);
   void        QueryResultReady(const char *ref); // *SIGNAL*
   void        CloseProgressDialog(); // *SIGNAL*
   void        ResetProgressDialog(const char *sel, Int_t sz, Long64_t fst, Long64_t ent); // *SIGNAL*
   void        StartupMessage(const char *msg, Bool_t status, Int_t done, Int_t total); // *SIGNAL*
   void        DataSetStatus(const char *msg, Bool_t status, Int_t done, Int_t total); // *SIGNAL*
   void        SendDataSetStatus(const char *msg, UInt_t n, UInt_t tot, Bool_t st);

   // -- the session
   const char *GetConfDir() const { return ""; }
   const char *GetConfFile() const { return ""; }
   const char *GetUser() const { return fUser; }
   const char *GetGroup() const { return "default"; }
   const char *GetWorkDir() const { return fWorkDir; }
   const char *GetImage() const { return ""; }
   Int_t       GetPort() const { return fPort; }
   Int_t       GetRemoteProtocol() const { return 36; } // PROOF 6's kPROOF_Protocol
   Int_t       GetClientProtocol() const { return 36; }
   Int_t       GetSessionID() const { return fSessionId; }
   Bool_t      UseDynamicStartup() const { return kFALSE; }
   Bool_t      IsProofd() const { return kFALSE; }
   Bool_t      IsFolder() const override { return kTRUE; }
   Bool_t      IsTty() const;
   Bool_t      IsParallel() const { return GetParallel() > 0; }
   void        SetActive(Bool_t = kTRUE) {}
   void        SetAlias(const char *alias = "");
   void        Detach(Option_t *opt = "");
   TProofMgr  *GetManager();
   void        SetManager(TProofMgr *mgr);
   const char *GetDataPoolUrl() const { return fDataPoolUrl; }
   void        SetDataPoolUrl(const char *url) { fDataPoolUrl = url ? url : ""; }
   Int_t       ActivateWorker(const char *ord, Bool_t save = kTRUE);
   Int_t       DeactivateWorker(const char *ord, Bool_t save = kTRUE);
   void        AddChain(TChain *chain);
   void        RemoveChain(TChain *chain);
   TList      *GetLoadedMacros() const;
   static TProofMgr *Mgr(const char *url);
   static void LogViewer(const char *url = nullptr, Int_t sessionidx = 0);

   // -- code, cache and data
   void        ShowCache(Bool_t all = kFALSE);
   void        ClearCache(const char *file = nullptr);
   Int_t       DownloadPackage(const char *par, const char *dstdir = nullptr);
   Int_t       AddDynamicPath(const char *libpath, Bool_t onClient = kFALSE, TList *wrks = nullptr,
                              Bool_t doCollect = kTRUE);
   Int_t       AddIncludePath(const char *incpath, Bool_t onClient = kFALSE, TList *wrks = nullptr,
                              Bool_t doCollect = kTRUE);
   Int_t       RemoveDynamicPath(const char *libpath, Bool_t onClient = kFALSE);
   Int_t       RemoveIncludePath(const char *incpath, Bool_t onClient = kFALSE);
   Int_t       UploadDataSet(const char *, TList *, const char * = nullptr, Int_t = 0, TList * = nullptr);
   Int_t       UploadDataSet(const char *, const char *, const char * = nullptr, Int_t = 0, TList * = nullptr);
   Int_t       UploadDataSetFromFile(const char *, const char *, const char * = nullptr, Int_t = 0,
                                     TList * = nullptr);
   TMap       *GetDataSets(const char *uri = "", const char *optStr = "");
   void        ShowDataSet(const char *dataset = "", const char *opt = "filter:SsCc");
   Int_t       VerifyDataSet(const char *dataset, const char *optStr = "");
   TList      *FindDataSets(const char *searchString, const char *optStr = "");
   Int_t       SetDataSetTreeName(const char *dataset, const char *treename);
   TMap       *GetDataSetQuota(const char *optStr = "");
   void        ShowDataSetQuota(Option_t *opt = nullptr);
   Bool_t      RequestStagingDataSet(const char *dataset);
   TFileCollection *GetStagingStatusDataSet(const char *dataset);
   void        ShowStagingStatusDataSet(const char *dataset, const char *optStr = "filter:SsCc");
   Bool_t      CancelStagingDataSet(const char *dataset);
   void        ShowDataSetCache(const char *dataset = nullptr);
   void        ClearDataSetCache(const char *dataset = nullptr);
   void        ShowData();
   void        ClearData(UInt_t what = kUnregistered, const char *dsname = nullptr);

   // -- proofshim compat, used by proofshim's Python side only
   void        SetSessionInfo(const char *user, const char *workdir, Int_t port);
   void        SetBusy(Bool_t busy) { fNotIdle += busy ? 1 : -1; }
   void        AddLoadedMacro(const char *name);
   void        AddFoundName(const char *name);
   const TObject *GetHookObject() const { return fHookObject; }

private:
   // ---- proofshim compat: state of the methods above
   TString     fUser;                    // user of the session (URL's, else the client's)
   TString     fWorkDir;                 // the session's directory on the workers' hosts
   Int_t       fPort = 0;                // port of the URL given to Open (scheduler's for dask URLs)
   Int_t       fNotIdle = 0;             // queries running (a slot may call IsIdle)
   EQueryMode  fQueryMode = kSync;
   TString     fDataPoolUrl;
   TProofMgr  *fManager = nullptr;
   TList       fCompatNames;             // filled by GetOutputNames, GetLoadedMacros, FindDataSets
   TList       fCompatOwned;             // objects this session made and owns (its manager)
   const TObject *fHookObject = nullptr; // object argument of the call being forwarded to Python

public:
   ClassDefOverride(TProof, 0) // PROOF session (proofshim: forwards to a dask cluster)
};

R__EXTERN TProof *gProof;

#endif
