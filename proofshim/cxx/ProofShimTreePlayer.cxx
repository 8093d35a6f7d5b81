// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// the tree player that sends a PROOF-enabled chain's Process and Draw to its session.

// =====================================================================================
// tree player

Long64_t TProofShimTreePlayer::Process(const char *filename, Option_t *option, Long64_t nentries, Long64_t firstentry)
{
   TProof *p = ProofShim::ProofForTree(fTree);
   if (!p && ProofShim::MissingSession(fTree, "Process")) return -1;
   if (!p) return TTreePlayer::Process(filename, option, nentries, firstentry);
   return ProofShim::ProcessHook(p, "tree", fTree, filename, nullptr, option, nentries, firstentry, nullptr);
}

Long64_t TProofShimTreePlayer::Process(TSelector *selector, Option_t *option, Long64_t nentries, Long64_t firstentry)
{
   TProof *p = ProofShim::ProofForTree(fTree);
   if (!p && ProofShim::MissingSession(fTree, "Process")) return -1;
   if (!p) return TTreePlayer::Process(selector, option, nentries, firstentry);
   return ProofShim::ProcessHook(p, "tree", fTree, "", selector, option, nentries, firstentry, nullptr);
}

Long64_t TProofShimTreePlayer::DrawSelect(const char *varexp, const char *selection, Option_t *option,
                                          Long64_t nentries, Long64_t firstentry)
{
   TProof *p = ProofShim::ProofForTree(fTree);
   if (!p && ProofShim::MissingSession(fTree, "Draw")) return -1;
   if (!p) return TTreePlayer::DrawSelect(varexp, selection, option, nentries, firstentry);
   return ProofShim::DrawHook(p, "draw:tree", fTree, varexp, selection, option, nentries, firstentry, nullptr);
}

// A rewritten macro's `tree->Process(...)` (ProofShimMacros.h): straight to the session, before
// TChain::Process would open the chain's first file on the client.
Long64_t ProofShim::ProcessTree(TTree *tree, const char *selector, Option_t *option, Long64_t nentries,
                                Long64_t firstentry)
{
   TProof *p = tree ? ProofShim::ProofForTree(tree) : nullptr;
   if (!p) return tree->Process(selector, option, nentries, firstentry);
   return ProofShim::ProcessHook(p, "tree", tree, selector, nullptr, option, nentries, firstentry, nullptr);
}

Long64_t ProofShim::ProcessTree(TTree *tree, TSelector *selector, Option_t *option, Long64_t nentries,
                                Long64_t firstentry)
{
   TProof *p = tree ? ProofShim::ProofForTree(tree) : nullptr;
   if (!p) return tree->Process(selector, option, nentries, firstentry);
   return ProofShim::ProcessHook(p, "tree", tree, "", selector, option, nentries, firstentry, nullptr);
}
