// Cycle-driven generator writing an ntuple through TProofOutputFile, in the style of the PROOF
// tutorials: merge mode (one merged file on the client) or, when the input list names a data set
// ("NtupleGen_DataSet"), dataset mode (the parts stay on the workers and are registered).
#ifndef NtupleGen_h
#define NtupleGen_h

#include "TSelector.h"

class TFile;
class TH1F;
class TNtuple;
class TProofOutputFile;

class NtupleGen : public TSelector {
public:
   TFile            *fFile = 0;
   TProofOutputFile *fProofFile = 0;
   TNtuple          *fNtp = 0;
   TH1F             *fHpz = 0;
   Int_t             fSeed = 0;

   NtupleGen() {}
   virtual ~NtupleGen() {}
   virtual Int_t  Version() const { return 2; }
   virtual void   SlaveBegin(TTree *);
   virtual Bool_t Process(Long64_t entry);
   virtual void   SlaveTerminate();
   virtual void   Terminate();

   ClassDef(NtupleGen, 0);
};

#endif
