// Track quality selector in the style of the PROOF tutorials (2011): cuts come from the input
// list, histograms go to fOutput, each worker notes who it is and uses its data directory.
#ifndef TrackSel_h
#define TrackSel_h

#include "TSelector.h"
#include "TTree.h"

class TH1F;
class TH2F;

class TrackSel : public TSelector {
public:
   TTree   *fChain = 0;
   Float_t  pt, eta, phi;
   Int_t    nhits;
   TBranch *b_pt, *b_eta, *b_phi, *b_nhits;

   Double_t fPtCut;
   Int_t    fMinHits;
   TH1F    *fHpt = 0;
   TH1F    *fHeta = 0;
   TH2F    *fHetaphi = 0;
   Long64_t fSeen = 0;

   TrackSel(TTree * = 0) {}
   virtual ~TrackSel() {}
   virtual Int_t   Version() const { return 2; }
   virtual void    Begin(TTree *tree);
   virtual void    SlaveBegin(TTree *tree);
   virtual void    Init(TTree *tree);
   virtual Bool_t  Notify() { return kTRUE; }
   virtual Bool_t  Process(Long64_t entry);
   virtual void    SlaveTerminate();
   virtual void    Terminate();

   ClassDef(TrackSel, 0);
};

#endif
