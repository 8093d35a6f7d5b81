// A process-wide scale factor, set by the package's SETUP(TList *) from its load options.
#include "RtypesCore.h"

static Double_t gCalibScale = 1.0;

void SetCalibScale(Double_t scale)
{
   gCalibScale = scale;
}

Double_t CalibScale()
{
   return gCalibScale;
}
