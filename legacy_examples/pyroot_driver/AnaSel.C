// AnaSel.C -- muon-pair selector for the "ana" tree, class and code in one
// file.  Meant to be compiled by ACLiC on the PROOF workers:
//
//    chain->SetProof();
//    chain->Process("AnaSel.C+", "os", nentries, first);
//
// Configuration:
//    option         "os": opposite-sign pairs only (read with GetOption())
//    cfg            TNamed added with TProof::AddInput(); its title holds
//                   "key=value" words: mlow, mhigh (mass window, GeV),
//                   ptmin (GeV), etamax
//    Ana_Weight     TParameter<Double_t> (TProof::SetParameter), fill weight
//    Ana_Tag        TNamed (TProof::SetParameter), a label for the printout
//
// Output: h_mass, h_mass_win, h_pt1, h_pt2, h_eta (TH1F), and the counters
// nprocessed, nselected (TParameter<Long64_t>).

#include <TSelector.h>
#include <TTree.h>
#include <TBranch.h>
#include <TList.h>
#include <TH1F.h>
#include <TNamed.h>
#include <TParameter.h>
#include <TString.h>
#include <TObjArray.h>
#include <TObjString.h>
#include <TMath.h>

class AnaSel : public TSelector {
public :
   TTree          *fChain;   //!pointer to the analyzed TTree or TChain

   // Declaration of leaf types
   Double_t        m;
   Float_t         pt1;
   Float_t         pt2;
   Float_t         eta1;
   Float_t         eta2;
   Int_t           q1;
   Int_t           q2;
   Int_t           run;

   // List of branches
   TBranch        *b_m;     //!
   TBranch        *b_pt1;   //!
   TBranch        *b_pt2;   //!
   TBranch        *b_eta1;  //!
   TBranch        *b_eta2;  //!
   TBranch        *b_q1;    //!
   TBranch        *b_q2;    //!
   TBranch        *b_run;   //!

   // Configuration
   Double_t        fMLow;
   Double_t        fMHigh;
   Double_t        fPtMin;
   Double_t        fEtaMax;
   Double_t        fWeight;
   Bool_t          fOppositeSign;
   TString         fTag;

   // Output
   TH1F           *fHMass;     //!
   TH1F           *fHMassWin;  //!
   TH1F           *fHPt1;      //!
   TH1F           *fHPt2;      //!
   TH1F           *fHEta;      //!
   Long64_t        fNProcessed;
   Long64_t        fNSelected;

   AnaSel(TTree * /*tree*/ = 0)
      : fChain(0), fMLow(60.), fMHigh(120.), fPtMin(20.), fEtaMax(2.4), fWeight(1.),
        fOppositeSign(kFALSE), fTag("none"), fHMass(0), fHMassWin(0), fHPt1(0), fHPt2(0),
        fHEta(0), fNProcessed(0), fNSelected(0) { }
   virtual ~AnaSel() { }
   virtual Int_t   Version() const { return 2; }
   virtual void    Begin(TTree *tree);
   virtual void    SlaveBegin(TTree *tree);
   virtual void    Init(TTree *tree);
   virtual Bool_t  Notify() { return kTRUE; }
   virtual Bool_t  Process(Long64_t entry);
   virtual Int_t   GetEntry(Long64_t entry, Int_t getall = 0) { return fChain ? fChain->GetTree()->GetEntry(entry, getall) : 0; }
   virtual void    SetOption(const char *option) { fOption = option; }
   virtual void    SetObject(TObject *obj) { fObject = obj; }
   virtual void    SetInputList(TList *input) { fInput = input; }
   virtual TList  *GetOutputList() const { return fOutput; }
   virtual void    SlaveTerminate();
   virtual void    Terminate();

   void            ParseConfig(const char *cfg);

   ClassDef(AnaSel,0);
};


void AnaSel::Init(TTree *tree)
{
   // Called for each new tree (each file on PROOF): set the branch addresses.
   if (!tree) return;
   fChain = tree;
   fChain->SetMakeClass(1);

   fChain->SetBranchAddress("m", &m, &b_m);
   fChain->SetBranchAddress("pt1", &pt1, &b_pt1);
   fChain->SetBranchAddress("pt2", &pt2, &b_pt2);
   fChain->SetBranchAddress("eta1", &eta1, &b_eta1);
   fChain->SetBranchAddress("eta2", &eta2, &b_eta2);
   fChain->SetBranchAddress("q1", &q1, &b_q1);
   fChain->SetBranchAddress("q2", &q2, &b_q2);
   fChain->SetBranchAddress("run", &run, &b_run);
}

void AnaSel::ParseConfig(const char *cfg)
{
   // "mlow=60 mhigh=120 ptmin=20 etamax=2.4"
   TObjArray *words = TString(cfg).Tokenize(" ;,");
   TIter next(words);
   while (TObjString *w = (TObjString *) next()) {
      TString s = w->GetString();
      Ssiz_t eq = s.Index("=");
      if (eq == kNPOS) continue;
      TString key = s(0, eq);
      TString val = s(eq + 1, s.Length());
      if (key == "mlow")        fMLow = val.Atof();
      else if (key == "mhigh")  fMHigh = val.Atof();
      else if (key == "ptmin")  fPtMin = val.Atof();
      else if (key == "etamax") fEtaMax = val.Atof();
      else Warning("ParseConfig", "unknown key '%s' ignored", key.Data());
   }
   delete words;
}

void AnaSel::Begin(TTree * /*tree*/)
{
   // On the client only: the tag is needed for the printout in Terminate().
   TNamed *tag = dynamic_cast<TNamed *>(fInput ? fInput->FindObject("Ana_Tag") : 0);
   if (tag) fTag = tag->GetTitle();
}

void AnaSel::SlaveBegin(TTree * /*tree*/)
{
   // On each worker: read the configuration and book the histograms.
   TString option = GetOption();
   fOppositeSign = option.Contains("os");

   TNamed *cfg = dynamic_cast<TNamed *>(fInput ? fInput->FindObject("cfg") : 0);
   if (cfg)
      ParseConfig(cfg->GetTitle());
   else
      Warning("SlaveBegin", "no 'cfg' object in the input list: using the defaults");

   TParameter<Double_t> *w =
      dynamic_cast<TParameter<Double_t> *>(fInput ? fInput->FindObject("Ana_Weight") : 0);
   if (w) fWeight = w->GetVal();
   TNamed *tag = dynamic_cast<TNamed *>(fInput ? fInput->FindObject("Ana_Tag") : 0);
   if (tag) fTag = tag->GetTitle();

   fHMass    = new TH1F("h_mass", "m_{#mu#mu};m [GeV];weighted pairs", 100, 0., 200.);
   fHMassWin = new TH1F("h_mass_win", "m_{#mu#mu} in the window;m [GeV];weighted pairs",
                        60, fMLow, fMHigh);
   fHPt1     = new TH1F("h_pt1", "leading muon p_{T};p_{T} [GeV];weighted pairs", 50, 0., 150.);
   fHPt2     = new TH1F("h_pt2", "second muon p_{T};p_{T} [GeV];weighted pairs", 50, 0., 150.);
   fHEta     = new TH1F("h_eta", "muon #eta;#eta;weighted muons", 48, -2.4, 2.4);
   fHMass->Sumw2();
   fHMassWin->Sumw2();

   fOutput->Add(fHMass);
   fOutput->Add(fHMassWin);
   fOutput->Add(fHPt1);
   fOutput->Add(fHPt2);
   fOutput->Add(fHEta);

   fNProcessed = 0;
   fNSelected = 0;
}

Bool_t AnaSel::Process(Long64_t entry)
{
   fChain->GetTree()->GetEntry(entry);
   fNProcessed++;

   if (pt1 < fPtMin || pt2 < fPtMin) return kFALSE;
   if (TMath::Abs(eta1) > fEtaMax || TMath::Abs(eta2) > fEtaMax) return kFALSE;
   if (fOppositeSign && q1 * q2 >= 0) return kFALSE;

   fHMass->Fill(m, fWeight);
   fHPt1->Fill(pt1, fWeight);
   fHPt2->Fill(pt2, fWeight);
   fHEta->Fill(eta1, fWeight);
   fHEta->Fill(eta2, fWeight);

   if (m >= fMLow && m < fMHigh) {
      fHMassWin->Fill(m, fWeight);
      fNSelected++;
   }
   return kTRUE;
}

void AnaSel::SlaveTerminate()
{
   fOutput->Add(new TParameter<Long64_t>("nprocessed", fNProcessed));
   fOutput->Add(new TParameter<Long64_t>("nselected", fNSelected));
}

void AnaSel::Terminate()
{
   // On the client: one summary line from the merged output.
   TH1F *hwin = dynamic_cast<TH1F *>(fOutput->FindObject("h_mass_win"));
   TParameter<Long64_t> *np = dynamic_cast<TParameter<Long64_t> *>(fOutput->FindObject("nprocessed"));
   TParameter<Long64_t> *ns = dynamic_cast<TParameter<Long64_t> *>(fOutput->FindObject("nselected"));
   if (!hwin || !np || !ns) {
      Error("Terminate", "output objects missing from the output list");
      return;
   }
   Printf("AnaSel[%s]: processed %lld entries, selected %lld pairs in [%g,%g) GeV, "
          "<m> = %.3f GeV, weighted yield %.1f",
          fTag.Data(), np->GetVal(), ns->GetVal(), hwin->GetXaxis()->GetXmin(),
          hwin->GetXaxis()->GetXmax(), hwin->GetMean(), hwin->GetSumOfWeights());
}
