// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// which chains are tied to which session (TChain::SetProof, TProof::AddChain).

// =====================================================================================
// chains tied to a session

namespace ProofShim {

// Removes deleted chains from the registry, so that a new chain at a recycled address is not
// mistaken for a PROOF-enabled one.
class ChainCleaner : public TObject {
public:
   void RecursiveRemove(TObject *obj) override { ForgetTree(obj); }
};

// How a chain is tied to PROOF. SetProof(kTRUE) makes it follow gProof: it is processed on
// whatever session is gProof when Process/Draw runs, as PROOF's TProofChain was, and it is
// registered with the gProof of that moment (if any), whose Close() unties it (PROOF called
// chain->SetProof(0) on the chains of a closing session). TProof::AddChain binds it to that very
// session. SetProof(kFALSE) records "local", which also holds under a gROOT->Proof() session.
struct ChainTie {
   Bool_t on = kFALSE;          // SetProof(kTRUE) or AddChain
   Bool_t bound = kFALSE;       // AddChain: processed on `session`, not on gProof
   TProof *session = nullptr;   // the session whose Close() unties the chain
};

static std::map<TTree *, ChainTie> &Chains()
{
   static std::map<TTree *, ChainTie> chains;
   return chains;
}

static void EnsureCleaner()
{
   static ChainCleaner *cleaner = nullptr;
   if (!cleaner) {
      cleaner = new ChainCleaner;
      gROOT->GetListOfCleanups()->Add(cleaner);
   }
}

static void Tie(TTree *chain, const ChainTie &tie)
{
   EnsureCleaner();
   chain->SetBit(kMustCleanup);
   Chains()[chain] = tie;
}

TProof *RootProof(const char *url)
{
   TProof *p = TProof::Open(url ? url : "");
   if (p) p->SetBit(kChainsFollowSession);
   return p;
}

// Like PROOF's TChain::SetProof this needs no session: Process uses the gProof of its time.
Int_t SetChainProof(TTree *chain, Bool_t on)
{
   if (!chain) return -1;
   ChainTie tie;
   tie.on = on;
   if (on && gProof && gProof->IsValid()) tie.session = gProof;
   Tie(chain, tie);
   return 0;
}

static void BindChain(TTree *chain, TProof *proof)
{
   ChainTie tie;
   tie.on = tie.bound = kTRUE;
   tie.session = proof;
   Tie(chain, tie);
}

static void UnbindChain(TTree *chain, TProof *proof)
{
   auto it = Chains().find(chain);
   if (it != Chains().end() && it->second.bound && it->second.session == proof) Chains().erase(it);
}

TProof *ProofForTree(TTree *tree)
{
   if (!tree) return nullptr;
   auto it = Chains().find(tree);
   if (it != Chains().end()) {
      const ChainTie &tie = it->second;
      if (!tie.on) return nullptr;
      if (tie.bound) return tie.session;
      return gProof && gProof->IsValid() ? gProof : nullptr;
   }
   if (gProof && gProof->IsValid() && gProof->TestBit(kChainsFollowSession) && tree->InheritsFrom(TChain::Class()))
      return gProof;
   return nullptr;
}

Bool_t MissingSession(TTree *tree, const char *method)
{
   if (!tree || ProofForTree(tree)) return kFALSE;
   auto it = Chains().find(tree);
   if (it == Chains().end() || !it->second.on) return kFALSE;
   ::Error(Form("TChain::%s", method),
           "chain '%s' was given SetProof() but no PROOF session is open: call TProof::Open() before %s(), "
           "or SetProof(kFALSE) to process the chain in this process",
           tree->GetName(), method);
   return kTRUE;
}

void ForgetSession(TProof *proof)
{
   for (auto it = Chains().begin(); it != Chains().end();) {
      if (it->second.session == proof) it = Chains().erase(it);
      else ++it;
   }
}

void ForgetTree(TObject *tree)
{
   Chains().erase(static_cast<TTree *>(tree));
}

Int_t NumberOfProofChains()
{
   Int_t n = 0;
   for (auto &c : Chains())
      if (c.second.on) ++n;
   return n;
}

} // namespace ProofShim
