// Reads the ntuple PofSel wrote (a data set made by TProofOutputFile): counts entries and sums gid.
#include "TSelector.h"
#include "TTreeReader.h"
#include "TTreeReaderValue.h"
#include "TParameter.h"

class NtpSel : public TSelector {
public:
   TTreeReader fReader;
   TTreeReaderValue<Float_t> fGid{fReader, "gid"};
   TParameter<Long64_t> *fN = nullptr;
   TParameter<Double_t> *fSum = nullptr;
   Int_t Version() const override { return 2; }
   void SlaveBegin(TTree *) override
   {
      fN = new TParameter<Long64_t>("NtpSel_N", 0);
      fSum = new TParameter<Double_t>("NtpSel_SumGid", 0);
      fOutput->Add(fN);
      fOutput->Add(fSum);
   }
   void Init(TTree *tree) override { fReader.SetTree(tree); }
   Bool_t Process(Long64_t entry) override
   {
      fReader.SetLocalEntry(entry);
      fN->SetVal(fN->GetVal() + 1);
      fSum->SetVal(fSum->GetVal() + *fGid);
      return kTRUE;
   }
   ClassDefOverride(NtpSel, 0)
};
