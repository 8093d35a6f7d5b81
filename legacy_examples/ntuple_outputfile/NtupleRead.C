// Reads the generated ntuple back (from the data set of its parts, or from one file).
#include "TSelector.h"
#include "TTreeReader.h"
#include "TTreeReaderValue.h"
#include "TH1F.h"
#include "TMath.h"

class NtupleRead : public TSelector {
public:
   TTreeReader fReader;
   TTreeReaderValue<Float_t> fPx{fReader, "px"};
   TTreeReaderValue<Float_t> fPy{fReader, "py"};
   TH1F *fHpt = 0;

   virtual Int_t  Version() const { return 2; }
   virtual void   Init(TTree *tree) { fReader.SetTree(tree); }
   virtual Bool_t Notify() { return kTRUE; }
   virtual void   SlaveBegin(TTree *)
   {
      fHpt = new TH1F("hpt_read", "p_{T} read back;p_{T};particles", 60, 0, 12);
      fOutput->Add(fHpt);
   }
   virtual Bool_t Process(Long64_t entry)
   {
      fReader.SetLocalEntry(entry);
      fHpt->Fill(TMath::Sqrt(*fPx * *fPx + *fPy * *fPy));
      return kTRUE;
   }
   ClassDef(NtupleRead, 0);
};
