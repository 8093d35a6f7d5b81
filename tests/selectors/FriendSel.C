// Reads a branch of a friend tree ("fr.fgid") next to the main tree's gid: they must agree.
#include "TSelector.h"
#include "TTreeReader.h"
#include "TTreeReaderValue.h"
#include "TParameter.h"
#include "TH1D.h"

class FriendSel : public TSelector {
public:
   TTreeReader fReader;
   TTreeReaderValue<Long64_t> fGid{fReader, "gid"};
   TTreeReaderValue<Long64_t> fFriendGid{fReader, "fr.fgid"};
   TParameter<Long64_t> *fMatch = nullptr, *fMismatch = nullptr;
   TH1D *fH = nullptr;
   Int_t Version() const override { return 2; }
   void Init(TTree *t) override { fReader.SetTree(t); }
   void SlaveBegin(TTree *) override
   {
      fMatch = new TParameter<Long64_t>("n_match", 0);
      fMismatch = new TParameter<Long64_t>("n_mismatch", 0);
      fH = new TH1D("hfgid", "friend gid", 100, 0, 30000);
      fOutput->Add(fMatch);
      fOutput->Add(fMismatch);
      fOutput->Add(fH);
   }
   Bool_t Process(Long64_t entry) override
   {
      fReader.SetLocalEntry(entry);
      auto *p = (*fGid == *fFriendGid) ? fMatch : fMismatch;
      p->SetVal(p->GetVal() + 1);
      fH->Fill(*fFriendGid);
      return kTRUE;
   }
   ClassDefOverride(FriendSel, 0)
};
