// Built by PROOF-INF/BUILD.sh into libCalibCore.so (plain g++, ROOT's headers through
// $ROOTINCLUDEPATH); PROOF-INF/SETUP.C loads that library before compiling Calib.C.
#include "RtypesCore.h"

extern "C" Double_t CalibCoreOffset()
{
   return 0.25;
}
