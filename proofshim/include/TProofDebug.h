// proofshim: PROOF's debug masks and the PDB(mask, level) macro legacy code wraps its messages in.
// proofshim itself logs through Python's logging; these only gate the user's own messages.
#ifndef ROOT_TProofDebug
#define ROOT_TProofDebug

#include "Rtypes.h"

class TProofDebug {
public:
   enum EProofDebugMask {
      kNone = 0,
      kPacketizer = 1,
      kLoop = 2,
      kSelector = 4,
      kOutput = 8,
      kInput = 16,
      kGlobal = 32,
      kPackage = 64,
      kFeedback = 128,
      kCondor = 256,
      kDraw = 512,
      kAsyn = 1024,
      kCache = 2048,
      kCollect = 4096,
      kDataset = 8192,
      kSubmerger = 16384,
      kMonitoring = 32768,
      kAll = 0xFFFFFFFF
   };
};

// Set them (e.g. gProofDebugLevel = 2) to see the PDB-guarded messages; defined in the shim library.
R__EXTERN TProofDebug::EProofDebugMask gProofDebugMask;
R__EXTERN Int_t gProofDebugLevel;

#define PDB(mask, level) \
   if ((TProofDebug::mask & gProofDebugMask) && gProofDebugLevel >= (level))

#endif
