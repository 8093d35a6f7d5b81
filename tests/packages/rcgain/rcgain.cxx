#include "TMath.h"
#include "rcgain.h"

double RcGain(double x)
{
   return TMath::Power(x, 2) + 0.25;
}
