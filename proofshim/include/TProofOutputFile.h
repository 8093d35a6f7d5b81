// proofshim: PROOF's TProofOutputFile, the handle through which a selector writes a file on each
// worker that PROOF then merges into one file (merge mode) or lists as a data set (dataset mode).
//
// On a worker the selector creates it in SlaveBegin, writes into OpenFile("RECREATE") and adds it
// to fOutput in SlaveTerminate. proofshim (proofshim/outputfile.py) then closes the part, stamps
// the dask worker holding it, and on the client fetches and merges the parts (TFileMerger) or
// builds the TFileCollection. Merge() only collects the parts; no file is touched in C++.
#ifndef ROOT_TProofOutputFile
#define ROOT_TProofOutputFile

#include "TNamed.h"
#include "TString.h"

class TCollection;
class TFile;
class TFileCollection;
class TFileMerger;
class TList;

class TProofOutputFile : public TNamed {
public:
   enum ERunType { kMerge = 1, kDataset = 2 };
   enum ETypeOpt {
      kRemote = 1,     // merge the parts where they are
      kLocal = 2,      // copy the parts locally before merging (proofshim always fetches them)
      kCreate = 4,     // create a data set
      kRegister = 8,   // register the data set
      kOverwrite = 16, // replace a registered data set of the same name
      kVerify = 32     // verify the registered data set
   };
   enum EStatusBits {
      kOutputFileNameSet = BIT(16),
      kRetrieve = BIT(17), // copy the result to the client (proofshim: the merged file is always there)
      kSwapFile = BIT(18)
   };

private:
   TString  fDir;            // directory of the part, as other processes name it
   TString  fRawDir;         // directory where the part is created on its worker
   TString  fFileName;       // base name of the part
   TString  fOptionsAnchor;  // "?opts#anchor" of the path given to the constructor
   TString  fOutputFileName; // the merged file (resolved on the client after merging)
   TString  fWorkerOrdinal;  // ordinal of the worker that wrote the part
   TString  fLocalHost;      // proofshim: dask address of the worker holding the part
   Bool_t   fIsLocal = kFALSE;
   Bool_t   fMerged = kFALSE;
   ERunType fRunType = kMerge;
   UInt_t   fTypeOpt = kRemote;
   Bool_t   fMergeHistosOneGo = kFALSE;
   TList   *fParts = nullptr;   // proofshim: the other workers' parts, TNamed(worker address, path)
   TFileCollection *fDataSet = nullptr; // dataset mode: the collection built from the parts
   TFileMerger     *fMerger = nullptr;  //! merge mode: the merger (client only)

   void Init(const char *path, const char *dsname);
   void AddPart(const char *host, const char *path);

   TProofOutputFile(const TProofOutputFile &) = delete;
   TProofOutputFile &operator=(const TProofOutputFile &) = delete;

   static TString fgPartSubdir; // proofshim: per-slot subdirectory of the data dir for default parts

public:
   TProofOutputFile() {}
   // option: "M" merge (default; "" too), "L"/"LOCAL" local copy then merge, "D" dataset with
   // "R" register, "O" overwrite, "V" verify. dsname: the data set's name (default: the file name).
   TProofOutputFile(const char *path, const char *option = "M", const char *dsname = nullptr);
   TProofOutputFile(const char *path, ERunType type, UInt_t opt = kRemote, const char *dsname = nullptr);
   ~TProofOutputFile() override;

   const char      *GetDir(Bool_t raw = kFALSE) const { return raw ? fRawDir : fDir; }
   const char      *GetFileName() const { return fFileName; }
   const char      *GetLocalHost() const { return fLocalHost; }
   const char      *GetOptionsAnchor() const { return fOptionsAnchor; }
   const char      *GetOutputFileName() const { return fOutputFileName; }
   const char      *GetWorkerOrdinal() const { return fWorkerOrdinal; }
   ERunType         GetRunType() const { return fRunType; }
   UInt_t           GetTypeOpt() const { return fTypeOpt; }
   TFileCollection *GetFileCollection();
   TFileMerger     *GetFileMerger(Bool_t local = kFALSE);
   Bool_t           IsMerge() const { return fRunType == kMerge; }
   Bool_t           IsMerged() const { return fMerged; }
   Bool_t           IsRegister() const { return (fTypeOpt & (kRegister | kVerify)) != 0; }
   Bool_t           IsRetrieve() const { return TestBit(kRetrieve); }
   void             SetRetrieve(Bool_t on = kTRUE) { SetBit(kRetrieve, on); }

   Int_t    AdoptFile(TFile *f);
   TFile   *OpenFile(const char *opt);
   Long64_t Merge(TCollection *list);
   void     Print(Option_t *option = "") const override;
   void     SetOutputFileName(const char *name);
   void     ResetFileCollection() { fDataSet = nullptr; }

   static Int_t AssertDir(const char *dirpath);

   // ---- proofshim's own: used by proofshim/outputfile.py
   TList *GetParts() const { return fParts; }   // other workers' parts (may be null)
   void   SetLocalHost(const char *host) { fLocalHost = host; }
   void   SetDir(const char *dir, Bool_t raw = kFALSE) { (raw ? fRawDir : fDir) = dir; }
   void   SetFileName(const char *name) { fFileName = name; }
   void   SetWorkerOrdinal(const char *ordinal) { fWorkerOrdinal = ordinal; }
   void   SetMerged(Bool_t merged = kTRUE) { fMerged = merged; }
   static void        SetPartSubdir(const char *subdir) { fgPartSubdir = subdir ? subdir : ""; }
   static const char *GetPartSubdir() { return fgPartSubdir; }

   ClassDefOverride(TProofOutputFile, 6) // a file written on every worker, merged or listed as a data set (proofshim)
};

#endif
