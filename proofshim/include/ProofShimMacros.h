// proofshim: what the copies of legacy macros rewritten by proofshim/macros.py include.
//
// `X->SetProof(...)` becomes `ProofShim::Chain(X).SetProof(...)` and `gROOT->Proof(...)`
// `ProofShim::RootProof(...)` (ProofShimCore.h). `X->Process(...)` becomes
// `ProofShim::Tree(X)->Process(...)` and `X.Process(...)` `ProofShim::TreeObj(X).Process(...)`:
// for a TTree/TChain the call goes through a TreeProxy, which hands a tree tied to a session to
// that session at once (ROOT 6.40's TChain::Process first opens the chain's first file on the
// client, and returns 0 without a word when it cannot: PROOF judged the files on the workers);
// for every other receiver Tree(X) is X itself, so the call is exactly the one written.
#ifndef PROOFSHIM_MACROS_H
#define PROOFSHIM_MACROS_H

#include "ProofShimCore.h"
#include "TTree.h"

#include <memory>
#include <type_traits>
#include <utility>

namespace ProofShim {

// TTree::Process for a tree tied to a session by SetProof() (or a gROOT->Proof() session): the
// query runs on the session; any other tree: tree->Process(...) as written.
Long64_t ProcessTree(TTree *tree, const char *selector, Option_t *option = "",
                     Long64_t nentries = TTree::kMaxEntries, Long64_t firstentry = 0);
Long64_t ProcessTree(TTree *tree, TSelector *selector, Option_t *option = "",
                     Long64_t nentries = TTree::kMaxEntries, Long64_t firstentry = 0);

// Stands in for a tree in `tree->Process(...)`: the same two overloads, with TTree's defaults.
class TreeProxy {
   TTree *fTree;

public:
   explicit TreeProxy(TTree *tree) : fTree(tree) {}
   TreeProxy *operator->() { return this; }
   Long64_t Process(const char *selector, Option_t *option = "", Long64_t nentries = TTree::kMaxEntries,
                    Long64_t firstentry = 0)
   {
      return ProcessTree(fTree, selector, option, nentries, firstentry);
   }
   Long64_t Process(TSelector *selector, Option_t *option = "", Long64_t nentries = TTree::kMaxEntries,
                    Long64_t firstentry = 0)
   {
      return ProcessTree(fTree, selector, option, nentries, firstentry);
   }
};

// `p->Process(...)`: p a pointer (or smart pointer) to a tree: a TreeProxy; anything else: p itself.
template <class P>
inline decltype(auto) Tree(P &&p)
{
   using T = std::remove_cv_t<std::remove_reference_t<decltype(*p)>>;
   if constexpr (std::is_base_of<TTree, T>::value) {
      if constexpr (std::is_pointer<std::decay_t<P>>::value)
         return TreeProxy(p);
      else
         return TreeProxy(p ? std::addressof(*p) : nullptr);
   } else {
      return std::forward<P>(p);
   }
}

// `o.Process(...)`: o a tree object: a TreeProxy; anything else: o itself.
template <class O>
inline decltype(auto) TreeObj(O &&o)
{
   using T = std::remove_cv_t<std::remove_reference_t<O>>;
   if constexpr (std::is_base_of<TTree, T>::value)
      return TreeProxy(std::addressof(o));
   else
      return std::forward<O>(o);
}

} // namespace ProofShim

#endif
