#include "TList.h"
#include "TParameter.h"

// The TList signature: the options given to EnablePackage (or, without any, the input list).
Int_t SETUP(TList *opts)
{
   if (gSystem->CompileMacro("CalibScale.C", "k") != 1) return -1;
   Double_t scale = 1.0;
   if (opts) {
      if (auto *p = dynamic_cast<TParameter<Double_t> *>(opts->FindObject("CalibScale"))) scale = p->GetVal();
   }
   gROOT->ProcessLine(TString::Format("SetCalibScale(%.17g);", scale));
   printf("calibscale-SETUP: scale %g\n", scale);
   return 0;
}
