// Does not compile: the tests check that the compiler's message reaches the user.
#include "TSelector.h"
class BrokenSel : public TSelector {
public:
   Bool_t Process(Long64_t) override { return this_is_not_declared; }
   ClassDefOverride(BrokenSel, 0)
};
