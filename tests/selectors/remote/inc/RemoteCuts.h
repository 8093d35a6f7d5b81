#ifndef RemoteCuts_h
#define RemoteCuts_h
// Included as "inc/RemoteCuts.h": a header in a subdirectory of the selector's directory.
#include <cmath>
inline double RemotePt(float px, float py) { return std::sqrt(double(px) * px + double(py) * py); }
inline bool RemotePass(double pt, double cut) { return pt > cut; }
#endif
