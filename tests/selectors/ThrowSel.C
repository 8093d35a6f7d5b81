// Test selector for failures: throws a C++ exception where the input parameter ThrowSel_Where
// (a TNamed) says, so one compiled selector serves every case of tests/test_bad_input.py:
//   "Begin", "Terminate" (client), "SlaveBegin", "Init", "SlaveTerminate" (workers),
//   "Process:<gid>" (std::runtime_error at that global id), "ProcessInt:<gid>" (throws an int).
// Without it, it counts every entry by global id into "hgid" (ThrowSel_NTotal bins), so the
// tests can check that each entry was processed exactly once.
#include "TSelector.h"
#include "TTreeReader.h"
#include "TTreeReaderValue.h"
#include "TH1D.h"
#include "TNamed.h"
#include "TParameter.h"
#include "TProof.h"
#include <stdexcept>
#include <string>

class ThrowSel : public TSelector {
public:
   TTreeReader fReader;
   TTreeReaderValue<Long64_t> fGid{fReader, "gid"};
   TH1D *fHgid = nullptr;
   TString fWhere;
   Long64_t fAt = -1;

   Int_t Version() const override { return 2; }

   void ReadWhere()
   {
      fWhere = "";
      TProof::GetParameter(fInput, "ThrowSel_Where", fWhere);
      Ssiz_t colon = fWhere.Index(":");
      if (colon != kNPOS) {
         fAt = TString(fWhere(colon + 1, fWhere.Length())).Atoll();
         fWhere = fWhere(0, colon);
      }
   }

   void ThrowIf(const char *where)
   {
      if (fWhere == where) throw std::runtime_error(std::string("ThrowSel: test exception in ") + where);
   }

   void Begin(TTree *) override
   {
      ReadWhere();
      ThrowIf("Begin");
   }

   void SlaveBegin(TTree *) override
   {
      ReadWhere();
      ThrowIf("SlaveBegin");
      Long64_t ntotal = 100;
      TProof::GetParameter(fInput, "ThrowSel_NTotal", ntotal);
      fHgid = new TH1D("hgid", "entries by global id", ntotal, -0.5, ntotal - 0.5);
      fOutput->Add(fHgid);
   }

   void Init(TTree *tree) override
   {
      ThrowIf("Init");
      fReader.SetTree(tree);
   }

   Bool_t Process(Long64_t entry) override
   {
      fReader.SetLocalEntry(entry);
      Long64_t gid = *fGid;
      if (gid == fAt && fWhere == "Process")
         throw std::runtime_error(Form("ThrowSel: test exception at gid %lld", gid));
      if (gid == fAt && fWhere == "ProcessInt") throw 42;
      fHgid->Fill(gid);
      return kTRUE;
   }

   void SlaveTerminate() override { ThrowIf("SlaveTerminate"); }

   void Terminate() override
   {
      // Something Terminate made before failing: it must stay in the output list.
      fOutput->Add(new TNamed("made_by_Terminate", "before the exception"));
      ThrowIf("Terminate");
   }

   ClassDefOverride(ThrowSel, 0);
};
