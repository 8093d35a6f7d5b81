// A driver macro without SetProof of its own: the helper it includes (another macro) ties the
// chain to the session and processes it.
#include "include_helper/proof_helper.C"

int include_driver(const char *files, const char *selector, Long64_t expected)
{
   if (!gProof) TProof::Open("workers=2");
   TChain *c = MakeProofChain(files);
   Long64_t rc = RunOnProof(c, selector);
   TParameter<Long64_t> *n = dynamic_cast<TParameter<Long64_t> *>(gProof->GetOutputList()->FindObject("n_Process"));
   printf("include_driver: Process returned %lld, n_Process %lld (expected %lld)\n", rc, n ? n->GetVal() : -1,
          expected);
   ReleaseChain(c);
   return (rc == 0 && n && n->GetVal() == expected) ? 0 : 1;
}
