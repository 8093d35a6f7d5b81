// Cycle-driven selector reading a TNtuple from its input list, as ROOT's ProofNtuple tutorial reads
// its random numbers from the input data ("inputrndm"): cycle i reads entry i % N of the ntuple
// named by InputTreeSel_Name and records (i, x, y) in the output ntuple "seen".
#include "TSelector.h"
#include "TNtuple.h"
#include "TNamed.h"
#include "TList.h"

class InputTreeSel : public TSelector {
public:
   TNtuple *fIn = nullptr;
   TNtuple *fSeen = nullptr;
   Int_t Version() const override { return 2; }
   void SlaveBegin(TTree *) override
   {
      auto *name = dynamic_cast<TNamed *>(fInput->FindObject("InputTreeSel_Name"));
      fIn = dynamic_cast<TNtuple *>(fInput->FindObject(name ? name->GetTitle() : "InTuple"));
      fSeen = new TNtuple("seen", "values read from the input ntuple", "i:x:y");
      fSeen->SetDirectory(nullptr);
      fOutput->Add(fSeen);
      if (!fIn || fIn->GetEntries() <= 0) Abort("InputTreeSel: no input ntuple with entries", kAbortProcess);
   }
   Bool_t Process(Long64_t entry) override
   {
      fIn->GetEntry(entry % fIn->GetEntries());
      const Float_t *a = fIn->GetArgs();
      fSeen->Fill(entry, a[0], a[1]);
      return kTRUE;
   }
   ClassDefOverride(InputTreeSel, 0)
};
