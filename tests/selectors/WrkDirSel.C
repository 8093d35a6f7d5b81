// Reports, from every worker it runs on, where the worker is: "host <ordinal>" and
// "datadir <ordinal>" (TNamed: gSystem->HostName(), gProofServ->GetDataDir()).
#include "TNamed.h"
#include "TProofServ.h"
#include "TSelector.h"
#include "TSystem.h"

class WrkDirSel : public TSelector {
public:
   Int_t Version() const override { return 2; }
   void SlaveBegin(TTree *) override
   {
      if (!gProofServ) return;
      fOutput->Add(new TNamed(TString::Format("host %s", gProofServ->GetOrdinal()).Data(), gSystem->HostName()));
      fOutput->Add(new TNamed(TString::Format("datadir %s", gProofServ->GetOrdinal()).Data(), gProofServ->GetDataDir()));
   }
   Bool_t Process(Long64_t) override { return kTRUE; }
   ClassDefOverride(WrkDirSel, 0)
};
