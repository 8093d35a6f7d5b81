// Checks PROOF_CurrentElement in Process: the packet's file and entry range, as PROOF's player set them.
#include "TSelector.h"
#include "TTree.h"
#include "TFile.h"
#include "TH1D.h"
#include "TMap.h"
#include "TParameter.h"
#include "TDSet.h"
#include "TString.h"
#include "TSystem.h"

class ElemSel : public TSelector {
public:
   TTree *fChain = nullptr;
   TParameter<Long64_t> *fBad = nullptr;    // entries whose element disagrees with the tree read
   TParameter<Long64_t> *fPackets = nullptr; // elements seen with kNewPacket set
   TH1D *fPerFile = nullptr;                 // entries per file, by the element's file name
   Int_t  Version() const override { return 2; }
   void   Init(TTree *t) override { fChain = t; }
   void   SlaveBegin(TTree *) override
   {
      fBad = new TParameter<Long64_t>("bad", 0);
      fPackets = new TParameter<Long64_t>("packets", 0);
      fPerFile = new TH1D("perfile", "entries per file", 1, 0, 1);
      fPerFile->SetCanExtend(TH1::kAllAxes);
      fOutput->Add(fBad);
      fOutput->Add(fPackets);
      fOutput->Add(fPerFile);
   }
   Bool_t Process(Long64_t entry) override
   {
      auto *pair = dynamic_cast<TPair *>(fInput->FindObject("PROOF_CurrentElement"));
      auto *elem = pair ? dynamic_cast<TDSetElement *>(pair->Value()) : nullptr;
      if (!elem) {
         fBad->SetVal(fBad->GetVal() + 1);
         return kTRUE;
      }
      if (elem->TestBit(TDSetElement::kNewPacket)) {
         fPackets->SetVal(fPackets->GetVal() + 1);
         elem->ResetBit(TDSetElement::kNewPacket);
      }
      TString current = fChain->GetCurrentFile()->GetName();
      bool ok = current.EndsWith(gSystem->BaseName(elem->GetFileName())) && entry >= elem->GetFirst() &&
                entry < elem->GetFirst() + elem->GetNum() && TString(elem->GetObjName()) == fChain->GetName();
      if (!ok) fBad->SetVal(fBad->GetVal() + 1);
      fPerFile->Fill(gSystem->BaseName(elem->GetFileName()), 1.);
      return kTRUE;
   }
   ClassDefOverride(ElemSel, 0);
};
