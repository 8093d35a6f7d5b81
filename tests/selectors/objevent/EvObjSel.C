// Test selector for object data sets: PROOF hands it one MyEvent after the other (SetObject, then
// Process(i), i the object's number in its file). It fills histograms that prove each object was
// processed exactly once and which numbers Process received.
#include "TSelector.h"
#include "TH1D.h"
#include "TParameter.h"
#include "TTree.h"
#include "MyEvent.h"

class EvObjSel : public TSelector {
public:
   TH1D *fIds = nullptr;       //! one bin per event id
   TH1D *fEnergy = nullptr;    //!
   TH1D *fIndex = nullptr;     //! the numbers Process received
   TParameter<Long64_t> *fHot = nullptr;    //! MyHotEvent objects seen
   TParameter<Long64_t> *fBad = nullptr;    //! objects that were not a MyEvent
   Int_t fAbortFileAt = -1;                 //! the event id at which to give up the rest of its file
   Int_t Version() const override { return 2; }
   void SlaveBegin(TTree *) override
   {
      Int_t maxid = 1000;
      if (TObject *p = fInput ? fInput->FindObject("EvObjSel_MaxId") : nullptr)
         maxid = (Int_t)((TParameter<Int_t> *)p)->GetVal();
      if (TObject *p = fInput ? fInput->FindObject("EvObjSel_AbortFileAt") : nullptr)
         fAbortFileAt = (Int_t)((TParameter<Int_t> *)p)->GetVal();
      fIds = new TH1D("ev_ids", "event ids", maxid, -0.5, maxid - 0.5);
      fEnergy = new TH1D("ev_energy", "energy", 50, 0, 100);
      fIndex = new TH1D("ev_index", "object number in its file", 200, -0.5, 199.5);
      fHot = new TParameter<Long64_t>("ev_hot", 0);
      fBad = new TParameter<Long64_t>("ev_bad", 0);
      for (TObject *o : std::initializer_list<TObject *>{fIds, fEnergy, fIndex, fHot, fBad}) fOutput->Add(o);
   }
   Bool_t Process(Long64_t entry) override
   {
      auto *ev = dynamic_cast<MyEvent *>(fObject);
      if (!ev) {
         fBad->SetVal(fBad->GetVal() + 1);
         return kFALSE;
      }
      if (dynamic_cast<MyHotEvent *>(fObject)) fHot->SetVal(fHot->GetVal() + 1);
      fIds->Fill(ev->fId);
      fEnergy->Fill(ev->fEnergy);
      fIndex->Fill(entry);
      if (ev->fId == fAbortFileAt) Abort("giving up this file", kAbortFile);
      return kTRUE;
   }
   ClassDefOverride(EvObjSel, 0)
};
