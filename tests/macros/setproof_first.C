// A physicist's own driver, unmodified: chain->SetProof() *before* TProof::Open, the worker count
// as Open's second argument ("workers=1", as ROOT's "Starting PROOF" page wrote it), a confdir
// PROOF-Lite ignored. Run several times in one process (proofshim run m.C m.C ...): later runs find
// the session the first opened. With `process`, also processes `selector` on the chain (ROOT 6.40
// cannot run a macro again once a run compiled a library with ACLiC: only the last run does that),
// and with `exitsel` ends with a query whose selector corrupts the heap when the process exits.
// Returns 0 when every check holds.
#include "TProof.h"
#include "TChain.h"
#include "TH1.h"
#include "TQueryResult.h"

int setproof_first(const char *pattern, const char *selector, Long64_t ntotal, Int_t process,
                   const char *exitsel = "")
{
   Bool_t first = !gProof;
   TChain *chain = new TChain("T");
   chain->Add(pattern);
   chain->SetProof();                       // no session yet (first run): accepted, as in PROOF
   if (first) {
      if (chain->Process(selector) != -1) return 10;     // no session at Process time: -1, not a local run
      if (chain->Draw("px", "", "goff") != -1) return 11;
   }
   TProof *p = TProof::Open("", "workers=1", "/no/such/confdir");
   if (!p || !p->IsValid() || p->GetParallel() != 1) return 12;
   if (process) {
      p->SetParameter("CountSel_NTotal", ntotal);
      if (chain->Process(selector) != 0) return 13;     // on the session opened after SetProof
      TQueryResult *qr = p->GetQueryResult();
      if (!qr || qr->GetEntries() != ntotal) return 14;
      TH1 *h = dynamic_cast<TH1 *>(p->GetOutputList()->FindObject("hgid"));
      if (!h || h->GetEntries() != ntotal) return 15;
      for (Int_t b = 1; b <= h->GetNbinsX(); ++b)
         if (h->GetBinContent(b) != 1) return 16;        // every entry exactly once
   }
   Int_t queries = p->GetQueryResults()->GetSize();
   Long64_t n = chain->Draw("px>>hpx_first(40,-4,4)", "", "goff");
   TH1 *hpx = dynamic_cast<TH1 *>(gDirectory->Get("hpx_first"));
   if (n != ntotal || !hpx || hpx->GetEntries() != ntotal) return 17;
   if (p->GetQueryResults()->GetSize() <= queries) return 18;                       // drawn on the session
   Int_t before = p->GetQueryResults()->GetSize();
   chain->SetProof(kFALSE);
   if (chain->Draw("px", "", "goff") != ntotal || p->GetQueryResults()->GetSize() != before) return 19;
   if (exitsel && *exitsel && p->Process(exitsel, 10, "free-twice-at-exit") != 0) return 20;
   printf("setproof_first: all checks passed (%s run%s)\n", first ? "first" : "later",
          process ? ", with Process" : "");
   return 0;
}
