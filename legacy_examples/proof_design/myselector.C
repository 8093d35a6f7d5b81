// The object selector of the proof_design example: processed over a TDSet of MyEvent objects,
// it receives each object through SetObject (fObject) before Process(i).
#include "TSelector.h"
#include "TTree.h"
#include "TH1F.h"
#include "TParameter.h"
#include "MyEvent.h"

class myselector : public TSelector {
public:
   TH1F *fEnergy = nullptr;
   TH1F *fNtrack = nullptr;
   TH1F *fVz = nullptr;
   TParameter<Long64_t> *fEvents = nullptr;

   Int_t Version() const override { return 2; }
   void SlaveBegin(TTree *) override
   {
      fEnergy = new TH1F("h_energy", "event energy;E;events", 80, 0, 200);
      fNtrack = new TH1F("h_ntrack", "tracks per event;n;events", 40, -0.5, 39.5);
      fVz = new TH1F("h_vz", "vertex z;z;events", 60, -15, 15);
      fEvents = new TParameter<Long64_t>("n_events", 0);
      fOutput->Add(fEnergy);
      fOutput->Add(fNtrack);
      fOutput->Add(fVz);
      fOutput->Add(fEvents);
   }
   Bool_t Process(Long64_t) override
   {
      MyEvent *ev = (MyEvent *)fObject;
      fEnergy->Fill(ev->fEnergy);
      fNtrack->Fill(ev->fNtrack);
      fVz->Fill(ev->fVertexZ);
      fEvents->SetVal(fEvents->GetVal() + 1);
      return kTRUE;
   }
   void Terminate() override
   {
      if (auto *n = (TParameter<Long64_t> *)fOutput->FindObject("n_events"))
         printf("myselector: %lld events\n", n->GetVal());
   }
   ClassDefOverride(myselector, 0)
};
