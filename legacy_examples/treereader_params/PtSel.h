//////////////////////////////////////////////////////////
// This class was generated with TTree::MakeSelector()
// (ROOT 6 TTreeReader layout) from TTree T/toy candidates
// with jets, then edited by hand: the configuration and
// the output objects were added to the class.
//////////////////////////////////////////////////////////

#ifndef PtSel_h
#define PtSel_h

#include <TROOT.h>
#include <TChain.h>
#include <TFile.h>
#include <TSelector.h>
#include <TString.h>
#include <TTreeReader.h>
#include <TTreeReaderValue.h>
#include <TTreeReaderArray.h>

// Headers needed by this particular selector
#include <vector>

class TH1D;
class TH1F;
class TProfile;

class PtSel : public TSelector {
public :
   TTreeReader     fReader;  //!the tree reader
   TTree          *fChain = 0;   //!pointer to the analyzed TTree or TChain

   // Readers to access the data (delete the ones you do not need).
   TTreeReaderValue<Float_t> pt = {fReader, "pt"};
   TTreeReaderValue<Float_t> eta = {fReader, "eta"};
   TTreeReaderValue<Int_t> nj = {fReader, "nj"};
   TTreeReaderArray<float> jpt = {fReader, "jpt"};

   // Configuration, taken from the input list in SlaveBegin (added by hand)
   TString         fMode = "loose";   // PtSel_Mode: "loose" or "tight"
   Int_t           fNBins = 50;       // PtSel_NBins: bins of h_pt
   Double_t        fPtCut = 20.;      // PtSel_PtCut: minimum pt [GeV]
   Long_t          fVerbose = 0;      // PtSel_Verbose
   Double_t        fMaxEta = 2.5;     // from the mode
   Int_t           fMinJets = 0;      // from the mode
   Bool_t          fLeadingOnly = kFALSE;  // option "leading": only the leading jet in h_jpt

   // Output objects (added by hand)
   TH1D           *fHistPt = 0;       //!
   TProfile       *fProfNj = 0;       //!
   TList          *fExtras = 0;       //!
   TH1F           *fHistEta = 0;      //!
   TH1F           *fHistJpt = 0;      //!

   PtSel(TTree * /*tree*/ =0) { }
   virtual ~PtSel() { }
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

   ClassDef(PtSel,0);

};

#endif

#ifdef PtSel_cxx
void PtSel::Init(TTree *tree)
{
   // The Init() function is called when the selector needs to initialize
   // a new tree or chain. Typically here the reader is initialized.
   // It is normally not necessary to make changes to the generated
   // code, but the routine can be extended by the user if needed.
   // Init() will be called many times when running on PROOF
   // (once per file to be processed).

   fReader.SetTree(tree);
}

Bool_t PtSel::Notify()
{
   // The Notify() function is called when a new file is opened. This
   // can be either for a new TTree in a TChain or when when a new TTree
   // is started when using PROOF. It is normally not necessary to make changes
   // to the generated code, but the routine can be extended by the
   // user if needed. The return value is currently not used.

   return kTRUE;
}


#endif // #ifdef PtSel_cxx
