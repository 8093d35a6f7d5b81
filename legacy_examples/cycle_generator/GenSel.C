// GenSel.C -- a toy event generator run as a PROOF cycle-driven query (no
// input data): every "entry" is one generated event.
//
//    TProof *p = TProof::Open("");
//    p->SetParameter("GenSel_Seed", (Int_t)4357);
//    p->SetParameter("GenSel_SignalFraction", 0.08);
//    p->Process("GenSel.C+", 20000);
//
// Event i is generated from its own seed, GenSel_Seed + i, so the sample
// does not depend on how PROOF splits the cycles among the workers.
//
// An event is a Poisson number of soft charged pions (exponential pT, flat
// eta and phi) and, with probability GenSel_SignalFraction, a J/psi-like
// resonance decaying to two opposite-sign muons.
//
// Input list:
//    GenSel_Seed            TParameter<Int_t> (also Long_t, Long64_t), base seed, > 0
//    GenSel_SignalFraction  TParameter<Double_t>, fraction of events with a resonance
//
// Output: h_npart, h_pt, h_eta, h_ht, h_met, h_mass (TH1F), and the counters
// ngenerated, nsignal, nparticles (TParameter<Long64_t>).

#include <TSelector.h>
#include <TTree.h>
#include <TList.h>
#include <TH1F.h>
#include <TParameter.h>
#include <TRandom3.h>
#include <TLorentzVector.h>
#include <TVector3.h>
#include <TMath.h>
#include <TString.h>
#include <vector>

class GenSel : public TSelector {
public :
   // Configuration
   Long64_t        fSeed;
   Double_t        fSignalFraction;
   Double_t        fMeanMult;        // mean number of soft pions
   Double_t        fResMass;         // resonance mass [GeV]
   Double_t        fResWidth;        // resonance width (resolution) [GeV]

   TRandom3        fRandom;          //! the generator, reseeded for every event
   std::vector<TLorentzVector> fParts;   //! particles of the current event
   std::vector<Int_t>          fCharge;  //!

   // Output
   TH1F           *fHNPart;    //!
   TH1F           *fHPt;       //!
   TH1F           *fHEta;      //!
   TH1F           *fHHt;       //!
   TH1F           *fHMet;      //!
   TH1F           *fHMass;     //!
   Long64_t        fNGenerated;
   Long64_t        fNSignal;
   Long64_t        fNParticles;

   GenSel(TTree * /*tree*/ = 0)
      : fSeed(4357), fSignalFraction(0.1), fMeanMult(6.), fResMass(3.097), fResWidth(0.04),
        fHNPart(0), fHPt(0), fHEta(0), fHHt(0), fHMet(0), fHMass(0),
        fNGenerated(0), fNSignal(0), fNParticles(0) { }
   virtual ~GenSel() { }
   virtual Int_t   Version() const { return 2; }
   virtual void    Begin(TTree *tree);
   virtual void    SlaveBegin(TTree *tree);
   virtual Bool_t  Process(Long64_t entry);
   virtual void    SetOption(const char *option) { fOption = option; }
   virtual void    SetObject(TObject *obj) { fObject = obj; }
   virtual void    SetInputList(TList *input) { fInput = input; }
   virtual TList  *GetOutputList() const { return fOutput; }
   virtual void    SlaveTerminate();
   virtual void    Terminate();

   void            ReadParameters();
   void            AddParticle(const TLorentzVector &p, Int_t q);

   ClassDef(GenSel,0);
};


void GenSel::ReadParameters()
{
   // The seed may come as TParameter<Int_t>, <Long_t> or <Long64_t>,
   // depending on which SetParameter() overload the driver used.
   TObject *obj = fInput ? fInput->FindObject("GenSel_Seed") : 0;
   if (TParameter<Int_t> *p = dynamic_cast<TParameter<Int_t> *>(obj))
      fSeed = p->GetVal();
   else if (TParameter<Long_t> *p = dynamic_cast<TParameter<Long_t> *>(obj))
      fSeed = p->GetVal();
   else if (TParameter<Long64_t> *p = dynamic_cast<TParameter<Long64_t> *>(obj))
      fSeed = p->GetVal();
   else
      Warning("ReadParameters", "no GenSel_Seed in the input list: using %lld", fSeed);
   if (fSeed <= 0) {
      // TRandom3::SetSeed(0) would take a seed from the clock
      Warning("ReadParameters", "GenSel_Seed = %lld must be positive: using 4357", fSeed);
      fSeed = 4357;
   }

   obj = fInput ? fInput->FindObject("GenSel_SignalFraction") : 0;
   if (TParameter<Double_t> *p = dynamic_cast<TParameter<Double_t> *>(obj))
      fSignalFraction = p->GetVal();
}

void GenSel::Begin(TTree * /*tree*/)
{
   // On the client only.
   ReadParameters();
   Info("Begin", "generating with seed %lld, signal fraction %g", fSeed, fSignalFraction);
}

void GenSel::SlaveBegin(TTree * /*tree*/)
{
   // On each worker: read the configuration and book the histograms.
   ReadParameters();

   fHNPart = new TH1F("h_npart", "particles per event;n;events", 30, -0.5, 29.5);
   fHPt    = new TH1F("h_pt", "particle p_{T};p_{T} [GeV];particles", 100, 0., 10.);
   fHEta   = new TH1F("h_eta", "particle #eta;#eta;particles", 50, -2.5, 2.5);
   fHHt    = new TH1F("h_ht", "scalar sum of p_{T};H_{T} [GeV];events", 100, 0., 40.);
   fHMet   = new TH1F("h_met", "|vector sum of p_{T}|;E_{T}^{miss} [GeV];events", 60, 0., 15.);
   fHMass  = new TH1F("h_mass", "opposite-sign pair mass;m [GeV];pairs", 120, 0., 6.);

   fOutput->Add(fHNPart);
   fOutput->Add(fHPt);
   fOutput->Add(fHEta);
   fOutput->Add(fHHt);
   fOutput->Add(fHMet);
   fOutput->Add(fHMass);

   fNGenerated = 0;
   fNSignal = 0;
   fNParticles = 0;
}

void GenSel::AddParticle(const TLorentzVector &p, Int_t q)
{
   fParts.push_back(p);
   fCharge.push_back(q);
}

Bool_t GenSel::Process(Long64_t entry)
{
   // Cycle-driven query: 'entry' is the global event number.
   fRandom.SetSeed(fSeed + entry);
   fParts.clear();
   fCharge.clear();

   const Double_t mpi = 0.13957, mmu = 0.10566;

   // soft pions
   Int_t nsoft = fRandom.Poisson(fMeanMult);
   for (Int_t k = 0; k < nsoft; ++k) {
      Double_t pt = 0.2 + fRandom.Exp(0.8);
      Double_t eta = fRandom.Uniform(-2.5, 2.5);
      Double_t phi = fRandom.Uniform(-TMath::Pi(), TMath::Pi());
      TLorentzVector p;
      p.SetPtEtaPhiM(pt, eta, phi, mpi);
      AddParticle(p, fRandom.Rndm() < 0.5 ? -1 : 1);
   }

   // the resonance: two-body decay in its rest frame, then boosted
   if (fRandom.Rndm() < fSignalFraction) {
      Double_t m = fRandom.Gaus(fResMass, fResWidth);
      Double_t pt = fRandom.Exp(3.);
      Double_t y = fRandom.Uniform(-1.5, 1.5);
      Double_t phi = fRandom.Uniform(-TMath::Pi(), TMath::Pi());
      Double_t mt = TMath::Sqrt(m * m + pt * pt);
      TLorentzVector res(pt * TMath::Cos(phi), pt * TMath::Sin(phi),
                         mt * TMath::SinH(y), mt * TMath::CosH(y));
      Double_t pstar = TMath::Sqrt(0.25 * m * m - mmu * mmu);
      Double_t cost = fRandom.Uniform(-1., 1.);
      Double_t phistar = fRandom.Uniform(0., TMath::TwoPi());
      TVector3 dir;
      dir.SetMagThetaPhi(pstar, TMath::ACos(cost), phistar);
      TLorentzVector mu1(dir, TMath::Sqrt(pstar * pstar + mmu * mmu));
      TLorentzVector mu2(-dir, mu1.E());
      mu1.Boost(res.BoostVector());
      mu2.Boost(res.BoostVector());
      AddParticle(mu1, 1);
      AddParticle(mu2, -1);
      fNSignal++;
   }

   // fill
   Double_t ht = 0., sx = 0., sy = 0.;
   Int_t nacc = 0;
   for (size_t k = 0; k < fParts.size(); ++k) {
      const TLorentzVector &p = fParts[k];
      if (TMath::Abs(p.Eta()) > 2.5) continue;   // acceptance
      nacc++;
      fHPt->Fill(p.Pt());
      fHEta->Fill(p.Eta());
      ht += p.Pt();
      sx += p.Px();
      sy += p.Py();
      for (size_t j = k + 1; j < fParts.size(); ++j) {
         if (fCharge[k] * fCharge[j] >= 0) continue;
         if (TMath::Abs(fParts[j].Eta()) > 2.5) continue;
         fHMass->Fill((p + fParts[j]).M());
      }
   }
   fHNPart->Fill(nacc);
   fHHt->Fill(ht);
   fHMet->Fill(TMath::Sqrt(sx * sx + sy * sy));

   fNGenerated++;
   fNParticles += nacc;
   return kTRUE;
}

void GenSel::SlaveTerminate()
{
   fOutput->Add(new TParameter<Long64_t>("ngenerated", fNGenerated));
   fOutput->Add(new TParameter<Long64_t>("nsignal", fNSignal));
   fOutput->Add(new TParameter<Long64_t>("nparticles", fNParticles));
}

void GenSel::Terminate()
{
   // On the client: a summary of the merged output.
   TH1F *hmass = dynamic_cast<TH1F *>(fOutput->FindObject("h_mass"));
   TH1F *hnpart = dynamic_cast<TH1F *>(fOutput->FindObject("h_npart"));
   TParameter<Long64_t> *ngen = dynamic_cast<TParameter<Long64_t> *>(fOutput->FindObject("ngenerated"));
   TParameter<Long64_t> *nsig = dynamic_cast<TParameter<Long64_t> *>(fOutput->FindObject("nsignal"));
   TParameter<Long64_t> *npart = dynamic_cast<TParameter<Long64_t> *>(fOutput->FindObject("nparticles"));
   if (!hmass || !hnpart || !ngen || !nsig || !npart) {
      Error("Terminate", "output objects missing from the output list");
      fOutput->ls();
      return;
   }
   Int_t b1 = hmass->FindBin(fResMass - 0.15), b2 = hmass->FindBin(fResMass + 0.15);
   Printf("GenSel: seed %lld: %lld events generated, %lld with a resonance, %lld particles "
          "(<n> = %.3f)", fSeed, ngen->GetVal(), nsig->GetVal(), npart->GetVal(), hnpart->GetMean());
   Printf("GenSel: %.0f opposite-sign pairs in [%.2f, %.2f] GeV",
          hmass->Integral(b1, b2), hmass->GetXaxis()->GetBinLowEdge(b1),
          hmass->GetXaxis()->GetBinUpEdge(b2));
}
