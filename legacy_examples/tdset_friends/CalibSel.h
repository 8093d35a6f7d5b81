//////////////////////////////////////////////////////////
// This class was generated with TTree::MakeSelector()
// (ROOT 6 TTreeReader layout) from TTree events/toy
// calorimeter clusters, then edited by hand: the readers
// of the friend tree "calib" (per-event calibration
// constants, files made by the calibration pass) and the
// output objects were added.
//////////////////////////////////////////////////////////

#ifndef CalibSel_h
#define CalibSel_h

#include <TROOT.h>
#include <TChain.h>
#include <TFile.h>
#include <TSelector.h>
#include <TTreeReader.h>
#include <TTreeReaderValue.h>

class TH1F;
class TH2F;

class CalibSel : public TSelector {
public :
   TTreeReader     fReader;  //!the tree reader
   TTree          *fChain = 0;   //!pointer to the analyzed TTree or TChain

   // Readers to access the data (delete the ones you do not need).
   TTreeReaderValue<Int_t> run = {fReader, "run"};
   TTreeReaderValue<Int_t> evt = {fReader, "evt"};
   TTreeReaderValue<Float_t> eraw = {fReader, "eraw"};
   TTreeReaderValue<Float_t> eta = {fReader, "eta"};
   TTreeReaderValue<Int_t> ncell = {fReader, "ncell"};

   // From the friend tree, added with alias "calib" (added by hand)
   TTreeReaderValue<Int_t> calib_evt = {fReader, "calib.evt"};
   TTreeReaderValue<Float_t> calib_scale = {fReader, "calib.scale"};
   TTreeReaderValue<Float_t> calib_offset = {fReader, "calib.offset"};

   // Configuration (added by hand)
   Double_t        fEMin = 5.;        // threshold on the calibrated energy [GeV]

   // Output objects (added by hand)
   TH1F           *fHistERaw = 0;     //! raw energy, all clusters
   TH1F           *fHistECal = 0;     //! calibrated energy, all clusters
   TH1F           *fHistScale = 0;    //! calibration scale used
   TH1F           *fHistECalPeak = 0; //! calibrated energy around the Z electron peak
   TH2F           *fHistECalEta = 0;  //! calibrated energy vs eta above threshold
   Long64_t        fNEvents = 0;      //! clusters seen on this worker
   Long64_t        fNAbove = 0;       //! clusters above fEMin on this worker
   Long64_t        fNMismatch = 0;    //! entries whose friend evt differs from evt

   CalibSel(TTree * /*tree*/ =0) { }
   virtual ~CalibSel() { }
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

   void            ReadOption();

   ClassDef(CalibSel,0);

};

#endif

#ifdef CalibSel_cxx
void CalibSel::Init(TTree *tree)
{
   // The Init() function is called when the selector needs to initialize
   // a new tree or chain. Typically here the reader is initialized.
   // It is normally not necessary to make changes to the generated
   // code, but the routine can be extended by the user if needed.
   // Init() will be called many times when running on PROOF
   // (once per file to be processed).

   fChain = tree;
   fReader.SetTree(tree);
}

Bool_t CalibSel::Notify()
{
   // The Notify() function is called when a new file is opened. This
   // can be either for a new TTree in a TChain or when when a new TTree
   // is started when using PROOF. It is normally not necessary to make changes
   // to the generated code, but the routine can be extended by the
   // user if needed. The return value is currently not used.

   return kTRUE;
}


#endif // #ifdef CalibSel_cxx
