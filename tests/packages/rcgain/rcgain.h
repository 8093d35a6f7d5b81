#ifndef RCGAIN_H
#define RCGAIN_H
// The package's library: built by make with root-config's flags (BUILD.sh), loaded by SETUP.
double RcGain(double x);
#endif
