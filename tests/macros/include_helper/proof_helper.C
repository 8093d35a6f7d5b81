// Helper macro included by include_driver.C: PROOF-era code calling TChain::SetProof.
#include "TChain.h"
#include "TParameter.h"
#include "TProof.h"
#include "TString.h"

TChain *MakeProofChain(const char *files)
{
   TChain *chain = new TChain("T");
   TString all(files), f;
   Ssiz_t from = 0;
   while (all.Tokenize(f, from, " ")) chain->Add(f);
   chain->SetProof();
   return chain;
}

Long64_t RunOnProof(TChain *chain, const char *selector)
{
   return chain->Process(selector);
}

void ReleaseChain(TChain *chain)
{
   chain->SetProof(kFALSE);
   delete chain;
}
