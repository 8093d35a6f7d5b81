//////////////////////////////////////////////////////////
// This class was generated with TTree::MakeSelector()
// (ROOT 5.34 layout) from TTree events/toy jet events,
// then edited by hand: histogram pointers and the event
// counter were added to the class.
//////////////////////////////////////////////////////////

#ifndef DsSel_h
#define DsSel_h

#include <TROOT.h>
#include <TChain.h>
#include <TFile.h>
#include <TSelector.h>

class TH1F;
class TH2F;

// Fixed size dimensions of array or collections stored in the TTree if any.
const Int_t kMaxjet = 20;

class DsSel : public TSelector {
public :
   TTree          *fChain;   //!pointer to the analyzed TTree or TChain

   // Declaration of leaf types
   Int_t           run;
   Int_t           njet;
   Float_t         jet_pt[kMaxjet];   //[njet]
   Float_t         jet_eta[kMaxjet];  //[njet]
   Float_t         met;

   // List of branches
   TBranch        *b_run;   //!
   TBranch        *b_njet;   //!
   TBranch        *b_jet_pt;   //!
   TBranch        *b_jet_eta;   //!
   TBranch        *b_met;   //!

   // Configuration (added by hand)
   Double_t        fPtMin;       // minimum jet pt, option "ptmin=X"

   // Output objects (added by hand)
   TH1F           *fHistRun;     //! events per run
   TH1F           *fHistNjet;    //! jets per event
   TH1F           *fHistJetPt;   //! pt of all jets
   TH1F           *fHistLeadPt;  //! pt of the leading jet
   TH1F           *fHistMet;     //! missing ET
   TH2F           *fHistEtaPt;   //! pt vs eta of all jets
   Long64_t        fNEvents;     //! events processed on this worker

   DsSel(TTree * /*tree*/ =0) : fChain(0), fPtMin(20.), fHistRun(0), fHistNjet(0), fHistJetPt(0),
                                fHistLeadPt(0), fHistMet(0), fHistEtaPt(0), fNEvents(0) { }
   virtual ~DsSel() { }
   virtual Int_t   Version() const { return 2; }
   virtual void    Begin(TTree *tree);
   virtual void    SlaveBegin(TTree *tree);
   virtual void    Init(TTree *tree);
   virtual Bool_t  Notify();
   virtual Bool_t  Process(Long64_t entry);
   virtual Int_t   GetEntry(Long64_t entry, Int_t getall = 0) { return fChain ? fChain->GetTree()->GetEntry(entry, getall) : 0; }
   virtual void    SetOption(const char *option) { fOption = option; }
   virtual void    SetObject(TObject *obj) { fObject = obj; }
   virtual void    SetInputList(TList *input) { fInput = input; }
   virtual TList  *GetOutputList() const { return fOutput; }
   virtual void    SlaveTerminate();
   virtual void    Terminate();

   ClassDef(DsSel,0);
};

#endif

#ifdef DsSel_cxx
void DsSel::Init(TTree *tree)
{
   // The Init() function is called when the selector needs to initialize
   // a new tree or chain. Typically here the branch addresses and branch
   // pointers of the tree will be set.
   // It is normally not necessary to make changes to the generated
   // code, but the routine can be extended by the user if needed.
   // Init() will be called many times when running on PROOF
   // (once per file to be processed).

   // Set branch addresses and branch pointers
   if (!tree) return;
   fChain = tree;
   fChain->SetMakeClass(1);

   fChain->SetBranchAddress("run", &run, &b_run);
   fChain->SetBranchAddress("njet", &njet, &b_njet);
   fChain->SetBranchAddress("jet_pt", jet_pt, &b_jet_pt);
   fChain->SetBranchAddress("jet_eta", jet_eta, &b_jet_eta);
   fChain->SetBranchAddress("met", &met, &b_met);
}

Bool_t DsSel::Notify()
{
   // The Notify() function is called when a new file is opened. This
   // can be either for a new TTree in a TChain or when when a new TTree
   // is started when using PROOF. It is normally not necessary to make changes
   // to the generated code, but the routine can be extended by the
   // user if needed. The return value is currently not used.

   return kTRUE;
}

#endif // #ifdef DsSel_cxx
