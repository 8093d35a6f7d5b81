// A version-0 selector (ROOT 5 era): ProcessCut/ProcessFill, Begin on the workers too.
#include "TSelector.h"
#include "TTree.h"
#include "TH1F.h"
#include "TParameter.h"

class V0Sel : public TSelector {
public:
   TTree *fChain = nullptr;
   Float_t fPx = 0;
   Long64_t fGid = 0;
   TH1F *fH = nullptr;
   TParameter<Long64_t> *fCut = nullptr, *fFill = nullptr, *fBegin = nullptr;
   void Begin(TTree *tree) override
   {
      if (tree) Init(tree); // local TTreePlayer: Begin gets the chain
      fH = new TH1F("hpx_v0", "px (cut px>0)", 40, 0, 4);
      fCut = new TParameter<Long64_t>("n_ProcessCut", 0);
      fFill = new TParameter<Long64_t>("n_ProcessFill", 0);
      fBegin = new TParameter<Long64_t>("n_Begin", 1);
      fOutput->Add(fH);
      fOutput->Add(fCut);
      fOutput->Add(fFill);
      fOutput->Add(fBegin);
   }
   void Init(TTree *t) override
   {
      fChain = t;
      fChain->SetBranchAddress("px", &fPx);
      fChain->SetBranchAddress("gid", &fGid);
   }
   Bool_t ProcessCut(Long64_t entry) override
   {
      fChain->GetTree()->GetEntry(entry);
      if (fCut) fCut->SetVal(fCut->GetVal() + 1);
      return fPx > 0;
   }
   void ProcessFill(Long64_t) override
   {
      if (fFill) fFill->SetVal(fFill->GetVal() + 1);
      if (fH) fH->Fill(fPx);
   }
   void Terminate() override {}
   ClassDefOverride(V0Sel, 0)
};
