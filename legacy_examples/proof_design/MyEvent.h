// The event class of the proof_design example: one object per event, stored as keys "event;1",
// "event;2", ... in the directory /events of each file (no tree), as early PROOF users did.
#ifndef MyEvent_h
#define MyEvent_h

#include "TObject.h"

class MyEvent : public TObject {
public:
   Int_t    fNtrack = 0;
   Double_t fEnergy = 0;
   Double_t fVertexZ = 0;
   MyEvent() {}
   ClassDefOverride(MyEvent, 1)
};

#endif
