// StragglerSel.C -- the straggler benchmark's selector (benchmarks/straggler.py).
//
// Reads px of tree "T" (the benchmark data) and fills hpx, at a fixed pace: each entry takes
// StragglerSel_NsPerEntry nanoseconds of wall time (mostly a sleep), and StragglerSel_SlowFactor
// times that on the worker whose ordinal is StragglerSel_SlowOrdinal ("*": this process, for a
// one-process run). The speed of each worker is thus known by construction, whatever else runs
// on the machine (the sleep costs no CPU), and the ideal wall time follows from it.
// Each worker also reports the entries it processed, as "entries_<ordinal>" (TParameter).
#include "TSelector.h"
#include "TTreeReader.h"
#include "TTreeReaderValue.h"
#include "TH1D.h"
#include "TNamed.h"
#include "TParameter.h"
#include "TProofServ.h"
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

class StragglerSel : public TSelector {
public:
   TTreeReader fReader;
   TTreeReaderValue<Float_t> fPx{fReader, "px"};
   TH1D *fHpx = nullptr;
   TParameter<Long64_t> *fCount = nullptr;
   std::chrono::nanoseconds fPerEntry{0};
   std::chrono::steady_clock::time_point fNext{};

   Int_t Version() const override { return 2; }

   void SlaveBegin(TTree *) override
   {
      long long ns = 20000;
      double factor = 4;
      TString slow;
      if (TObject *o = fInput ? fInput->FindObject("StragglerSel_NsPerEntry") : nullptr) ns = atoll(o->GetTitle());
      if (TObject *o = fInput ? fInput->FindObject("StragglerSel_SlowFactor") : nullptr) factor = atof(o->GetTitle());
      if (TObject *o = fInput ? fInput->FindObject("StragglerSel_SlowOrdinal") : nullptr) slow = o->GetTitle();
      const char *ordinal = gProofServ ? gProofServ->GetOrdinal() : "0";
      if (slow == "*" || (gProofServ && slow == ordinal))
         ns = (long long)(ns * factor);
      fPerEntry = std::chrono::nanoseconds(ns);
      fHpx = new TH1D("hpx", "p_{x}", 100, -25., 25.);
      fHpx->SetDirectory(nullptr);
      fOutput->Add(fHpx);
      fCount = new TParameter<Long64_t>(TString::Format("entries_%s", ordinal), 0);
      fOutput->Add(fCount);
   }

   void Init(TTree *tree) override { fReader.SetTree(tree); }

   Bool_t Process(Long64_t entry) override
   {
      fReader.SetLocalEntry(entry);
      fHpx->Fill(*fPx);
      fCount->SetVal(fCount->GetVal() + 1);
      // The pace: no catching up after an idle time between packets.
      const auto now = std::chrono::steady_clock::now();
      if (fNext < now - std::chrono::milliseconds(2))
         fNext = now;
      fNext += fPerEntry;
      if (fNext - now > std::chrono::milliseconds(1))
         std::this_thread::sleep_until(fNext);
      return kTRUE;
   }

   ClassDefOverride(StragglerSel, 0);
};
