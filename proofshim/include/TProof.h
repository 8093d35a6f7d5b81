// proofshim: the PROOF session class, as legacy code knows it.
//
// ROOT 6.40 no longer ships PROOF. This header gives legacy macros and selectors the
// TProof API they were written against; every call that needs a cluster is forwarded to
// proofshim's Python implementation (see ProofShimCore.h), so Python and C++ share one session.
#ifndef ROOT_TProof
#define ROOT_TProof

#include "TNamed.h"
#include "TQObject.h"
#include "TList.h"
#include "TParameter.h"
#include "TString.h"
#include "TCollection.h"

class TDSet;
class TChain;
class TTree;
class TSelector;
class TFileCollection;
class TMacro;
class TQueryResult;
class TProofMgr;

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
   TMacro  *fMacroLog = nullptr;     // lines fetched by GetLog (owned)
   Bool_t   fLogToWindowOnly = kFALSE; // ShowLog emits LogMessage instead of printing
   TProofMgr *fManager = nullptr;    // made by GetManager (owned)

   TProof(const TProof &) = delete;
   TProof &operator=(const TProof &) = delete;

public:
   enum EStatusBits { kUsingSessionGui = BIT(14) };
   enum EUploadPackageOpt { kUntar = 0x0, kRemoveOld = 0x1 };

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
   // The session's manager: GetManager()->GetSessionLogs() gives every worker's log.
   TProofMgr *GetManager();
   static TProofMgr *Mgr(const char *url);

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
   void     AddSlaveInfo(const char *ordinal, const char *host, Int_t status);
   void     AddPackageName(const char *name);
   TList   *GetPackageLoadOpts() const { return fPackageOpts; }

   ClassDefOverride(TProof, 0) // PROOF session (proofshim: forwards to a dask cluster)
};

R__EXTERN TProof *gProof;

#endif
