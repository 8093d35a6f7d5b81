// A PROOF-era driver macro, unmodified: open PROOF, set a parameter, process a SetProof'd chain,
// then a TDSet built from the chain's files with a range. Returns 0 when every check holds.
#include "TProof.h"
#include "TDSet.h"
#include "TChain.h"
#include "TChainElement.h"
#include "TH1.h"

int legacy_driver(const char *pattern, const char *selector, Long64_t ntotal)
{
   TProof *proof = TProof::Open("workers=2");
   if (!proof || !proof->IsValid()) return 10;
   proof->SetParameter("CountSel_NTotal", ntotal);

   TChain *chain = new TChain("T");
   chain->Add(pattern);
   chain->SetProof();
   if (chain->Process(selector) != 0) return 11;
   TH1 *h = dynamic_cast<TH1 *>(proof->GetOutputList()->FindObject("hgid"));
   if (!h || h->GetEntries() != ntotal) return 12;

   TDSet dset("TTree", "T");
   TIter next(chain->GetListOfFiles());
   while (TChainElement *el = (TChainElement *)next()) dset.Add(el->GetTitle());
   if (dset.Process(selector, "", 100, 10) != 0) return 13;
   h = dynamic_cast<TH1 *>(proof->GetOutputList()->FindObject("hgid"));
   if (!h || h->GetEntries() != 100 || h->GetBinContent(11) != 1 || h->GetBinContent(10) != 0) return 14;

   TChain local("T");
   local.Add(pattern);
   local.SetProof(kTRUE);
   Long64_t n = local.Draw("px>>hpx_macro(40,-4,4)", "py>0", "goff");
   TH1 *hpx = (TH1 *)gDirectory->Get("hpx_macro");
   if (n <= 0 || !hpx || hpx->GetEntries() != n) return 15;
   printf("legacy_driver: all checks passed\n");
   return 0;
}
