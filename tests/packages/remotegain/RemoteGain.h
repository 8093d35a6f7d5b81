#ifndef RemoteGain_h
#define RemoteGain_h
// From the "remotegain" package: a function of the library its BUILD.sh builds.
double RemoteGain();
#endif
