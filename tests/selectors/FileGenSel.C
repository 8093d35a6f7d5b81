// Cycle-driven selector run with TPacketizerFile, as ROOT's ProofAux generates the files of the
// "friends" tutorial: each cycle gets one file name in PROOF_CurrentElement and writes a tree of
// FileGenSel_NEvents entries there (relative names under gProofServ->GetDataDir()). The output list
// "generated" holds one TObjString per cycle: "name|path|ordinal|entry|first|num|kEmpty".
#include "TSelector.h"
#include "TDSet.h"
#include "TProofServ.h"
#include "TProof.h"
#include "TFile.h"
#include "TTree.h"
#include "TObjString.h"
#include "TMap.h"
#include "TSystem.h"
#include "TUrl.h"

class FileGenSel : public TSelector {
public:
   TList *fGenerated = nullptr;
   Long64_t fNEvents = 10;
   Int_t Version() const override { return 2; }
   void SlaveBegin(TTree *) override
   {
      TProof::GetParameter(fInput, "FileGenSel_NEvents", fNEvents);
      fGenerated = new TList;
      fGenerated->SetName("generated");
      fOutput->Add(fGenerated);
   }
   Bool_t Process(Long64_t entry) override
   {
      auto *pair = dynamic_cast<TPair *>(fInput->FindObject("PROOF_CurrentElement"));
      auto *elem = pair ? dynamic_cast<TDSetElement *>(pair->Value()) : nullptr;
      if (!elem) {
         Abort("FileGenSel: no PROOF_CurrentElement", kAbortProcess);
         return kFALSE;
      }
      TString path(TUrl(elem->GetName(), kTRUE).GetFile());
      if (!path.BeginsWith("/")) path.Prepend(TString::Format("%s/", gProofServ->GetDataDir()));
      TDirectory *savedir = gDirectory;
      TFile f(path, "RECREATE");
      TTree t("Tgen", "generated");
      Long64_t i = 0;
      t.Branch("i", &i);
      for (i = 0; i < fNEvents; ++i) t.Fill();
      t.Write();
      f.Close();
      savedir->cd();
      fGenerated->Add(new TObjString(TString::Format("%s|%s|%s|%lld|%lld|%lld|%d", elem->GetName(), path.Data(),
                                                     gProofServ->GetOrdinal(), entry, elem->GetFirst(),
                                                     elem->GetNum(), elem->TestBit(TDSetElement::kEmpty))));
      return kTRUE;
   }
   ClassDefOverride(FileGenSel, 0)
};
