#include "Calib.h"

// In libCalibCore.so, which BUILD.sh built and SETUP loaded before compiling this file.
extern "C" Double_t CalibCoreOffset();

Double_t Calib::Apply(Double_t x) const
{
   return fGain * x + CalibCoreOffset();
}
