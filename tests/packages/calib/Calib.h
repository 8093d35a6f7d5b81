#ifndef Calib_h
#define Calib_h
// A calibration class from the "calib" package: selectors include it and use it on the workers.
#include "TObject.h"

class Calib : public TObject {
public:
   Double_t fGain = 2.0;
   Calib(Double_t gain = 2.0) : fGain(gain) {}
   Double_t Apply(Double_t x) const;
   ClassDefOverride(Calib, 1)
};
#endif
