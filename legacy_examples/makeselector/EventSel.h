//////////////////////////////////////////////////////////
// This class was generated with TTree::MakeSelector()
// (ROOT 5.34 layout) from TTree events/toy tracks
// and then edited by hand: histogram pointers and the
// selected-entry counter were added to the class.
//////////////////////////////////////////////////////////

#ifndef EventSel_h
#define EventSel_h

#include <TROOT.h>
#include <TChain.h>
#include <TFile.h>
#include <TSelector.h>

class TH1F;
class TH2F;

class EventSel : public TSelector {
public :
   TTree          *fChain;   //!pointer to the analyzed TTree or TChain

   // Declaration of leaf types
   Float_t         px;
   Float_t         py;
   Float_t         pz;
   Int_t           nhit;
   Double_t        e;
   Int_t           charge;

   // List of branches
   TBranch        *b_px;   //!
   TBranch        *b_py;   //!
   TBranch        *b_pz;   //!
   TBranch        *b_nhit;   //!
   TBranch        *b_e;   //!
   TBranch        *b_charge;   //!

   // Output objects (added by hand)
   TH1F           *fHistPt;     //! transverse momentum of selected tracks
   TH1F           *fHistE;      //! energy of selected tracks
   TH1F           *fHistNhit;   //! number of hits, all tracks
   TH2F           *fHistPxPy;   //! py vs px of selected tracks
   Long64_t        fNSelected;  //! tracks passing the cuts on this worker

   EventSel(TTree * /*tree*/ =0) : fChain(0), fHistPt(0), fHistE(0), fHistNhit(0),
                                   fHistPxPy(0), fNSelected(0) { }
   virtual ~EventSel() { }
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

   ClassDef(EventSel,0);
};

#endif

#ifdef EventSel_cxx
void EventSel::Init(TTree *tree)
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

   fChain->SetBranchAddress("px", &px, &b_px);
   fChain->SetBranchAddress("py", &py, &b_py);
   fChain->SetBranchAddress("pz", &pz, &b_pz);
   fChain->SetBranchAddress("nhit", &nhit, &b_nhit);
   fChain->SetBranchAddress("e", &e, &b_e);
   fChain->SetBranchAddress("charge", &charge, &b_charge);
}

Bool_t EventSel::Notify()
{
   // The Notify() function is called when a new file is opened. This
   // can be either for a new TTree in a TChain or when when a new TTree
   // is started when using PROOF. It is normally not necessary to make changes
   // to the generated code, but the routine can be extended by the
   // user if needed. The return value is currently not used.

   return kTRUE;
}

#endif // #ifdef EventSel_cxx
