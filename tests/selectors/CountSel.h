// Test selector: counts every protocol call, checks the input list, fills mergeable objects of
// many kinds. Its header lives beside it so the tests prove headers travel to the workers.
#ifndef CountSel_h
#define CountSel_h

#include "TSelector.h"
#include "TTreeReader.h"
#include "TTreeReaderValue.h"
#include "TTreeReaderArray.h"
#include "TNamed.h"
#include "TCollection.h"

class TH1F;
class TH1D;
class TH2F;
class TProfile;
class TTree;
template <class T> class TParameter;

// A user class with a Merge method: the shim must merge it by calling Merge(TCollection*).
class CounterObj : public TNamed {
public:
   Long64_t fCount = 0;
   Long64_t fMerges = 0;
   CounterObj() {}
   CounterObj(const char *name) : TNamed(name, "counter") {}
   Long64_t Merge(TCollection *others);
   ClassDefOverride(CounterObj, 1)
};

// A user class without Merge: copies are kept side by side.
class Unmergeable : public TNamed {
public:
   Int_t fValue = 0;
   Unmergeable() {}
   Unmergeable(const char *name, Int_t v) : TNamed(name, "no merge"), fValue(v) {}
   ClassDefOverride(Unmergeable, 1)
};

class CountSel : public TSelector {
public:
   TTreeReader fReader;
   TTreeReaderValue<Long64_t> fGid{fReader, "gid"};
   TTreeReaderValue<Float_t> fPx{fReader, "px"};
   TTreeReaderValue<Float_t> fPy{fReader, "py"};
   TTreeReaderValue<Int_t> fNtrk{fReader, "ntrk"};
   TTreeReaderArray<Float_t> fTrkpt{fReader, "trkpt"};

   TH1D *fHgid = nullptr;
   TH1F *fHpx = nullptr;
   TH2F *fHpxpy = nullptr;
   TProfile *fProf = nullptr;
   TTree *fSkim = nullptr;
   CounterObj *fCounter = nullptr;
   TParameter<Long64_t> *fNProcess = nullptr, *fNInit = nullptr, *fNNotify = nullptr;
   Long64_t fSkimGid = 0;
   Long64_t fAbortFileAt = -1, fAbortProcessAt = -1;
   Int_t fBeginCalls = 0, fTerminateCalls = 0;

   CountSel() {}
   ~CountSel() override {}
   Int_t Version() const override { return 2; }
   void Begin(TTree *) override;
   void SlaveBegin(TTree *) override;
   void Init(TTree *tree) override;
   Bool_t Notify() override;
   Bool_t Process(Long64_t entry) override;
   void SlaveTerminate() override;
   void Terminate() override;

   ClassDefOverride(CountSel, 0)
};

#endif
