// Compiles, but the class is not named after the file.
#include "TSelector.h"
class SomethingElse : public TSelector {
public:
   ClassDefOverride(SomethingElse, 0)
};
