// BenchSel.C -- benchmark TSelector for proofshim (ROOT 6 style, TTreeReader).
//
// Reads tree "T" with branches
//     px, py, pz : float
//     ntrk       : int
//     trkpt      : std::vector<float>   (ntrk values)
// and fills four histograms created in SlaveBegin and added to fOutput:
//     hpt    sqrt(px^2 + py^2)
//     hpz    pz
//     hntrk  ntrk
//     htrkpt every element of trkpt
//
// Usable unchanged with
//     chain.Process("BenchSel.C+")                       (plain ROOT)
//     chain.SetProof(); chain.Process("BenchSel.C+")     (PROOF / proofshim)
//     ROOT::TTreeProcessorMP::Process(chain, sel, "T")   (multi-process)
//
// Process(entry) receives a tree-local entry number (TTreePlayer, PROOF and
// TTreeProcessorMP all pass local entries), hence SetLocalEntry.
//
// Histograms are TH1D with weight 1, so every bin holds an exact integer and
// results merged from any number of workers must agree bin by bin.

#include <TSelector.h>
#include <TTree.h>
#include <TH1D.h>
#include <TList.h>
#include <TTreeReader.h>
#include <TTreeReaderValue.h>
#include <TTreeReaderArray.h>

#include <cmath>

class BenchSel : public TSelector {
public:
   TTreeReader fReader;
   TTreeReaderValue<Float_t> fPx{fReader, "px"};
   TTreeReaderValue<Float_t> fPy{fReader, "py"};
   TTreeReaderValue<Float_t> fPz{fReader, "pz"};
   TTreeReaderValue<Int_t> fNtrk{fReader, "ntrk"};
   TTreeReaderArray<Float_t> fTrkpt{fReader, "trkpt"};

   TH1D *fHpt = nullptr;
   TH1D *fHpz = nullptr;
   TH1D *fHntrk = nullptr;
   TH1D *fHtrkpt = nullptr;

   BenchSel(TTree * = nullptr) {}
   ~BenchSel() override {}

   Int_t Version() const override { return 2; }
   void Begin(TTree *tree) override;
   void SlaveBegin(TTree *tree) override;
   void Init(TTree *tree) override;
   Bool_t Notify() override;
   Bool_t Process(Long64_t entry) override;
   void SlaveTerminate() override;
   void Terminate() override;

   ClassDefOverride(BenchSel, 0);
};

void BenchSel::Begin(TTree * /*tree*/)
{
   // Client side: nothing to do.
}

void BenchSel::SlaveBegin(TTree * /*tree*/)
{
   // Worker side (also the only side in a one-process run).
   fHpt = new TH1D("hpt", "p_{T};#sqrt{p_{x}^{2}+p_{y}^{2}};entries", 100, 0., 50.);
   fHpz = new TH1D("hpz", "p_{z};p_{z};entries", 100, -50., 50.);
   fHntrk = new TH1D("hntrk", "tracks per event;n_{trk};events", 21, -0.5, 20.5);
   fHtrkpt = new TH1D("htrkpt", "track p_{T};p_{T};tracks", 100, 0., 30.);
   // Owned by fOutput (a TSelectorList owns its objects), not by whatever
   // file happens to be gDirectory at this moment.
   for (TH1D *h : {fHpt, fHpz, fHntrk, fHtrkpt}) {
      h->SetDirectory(nullptr);
      fOutput->Add(h);
   }
}

void BenchSel::Init(TTree *tree)
{
   fReader.SetTree(tree);
}

Bool_t BenchSel::Notify()
{
   return kTRUE;
}

Bool_t BenchSel::Process(Long64_t entry)
{
   fReader.SetLocalEntry(entry);

   const Float_t px = *fPx;
   const Float_t py = *fPy;
   fHpt->Fill(std::sqrt(px * px + py * py));
   fHpz->Fill(*fPz);
   fHntrk->Fill(*fNtrk);
   for (Float_t pt : fTrkpt)
      fHtrkpt->Fill(pt);

   return kTRUE;
}

void BenchSel::SlaveTerminate()
{
}

void BenchSel::Terminate()
{
   // Client side: after a PROOF merge the members are not set here, fetch
   // the merged objects from the output list. Nothing heavy.
   if (!fOutput)
      return;
   fHpt = dynamic_cast<TH1D *>(fOutput->FindObject("hpt"));
   fHpz = dynamic_cast<TH1D *>(fOutput->FindObject("hpz"));
   fHntrk = dynamic_cast<TH1D *>(fOutput->FindObject("hntrk"));
   fHtrkpt = dynamic_cast<TH1D *>(fOutput->FindObject("htrkpt"));
}
