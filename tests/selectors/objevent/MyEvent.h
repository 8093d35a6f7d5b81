// A small user event class for object data sets (TDSet("MyEvent", "*", "/events")): written one
// object per key into several files by the tests, read back by EvObjSel on the workers.
#ifndef MyEvent_h
#define MyEvent_h

#include "TObject.h"

class MyEvent : public TObject {
public:
   Int_t    fId = -1;       // unique over all files: each must be processed exactly once
   Double_t fEnergy = 0;
   Int_t    fNtrk = 0;
   MyEvent() {}
   MyEvent(Int_t id, Double_t e, Int_t ntrk) : fId(id), fEnergy(e), fNtrk(ntrk) {}
   ClassDefOverride(MyEvent, 1)
};

// A derived class: its objects count for a TDSet of type MyEvent.
class MyHotEvent : public MyEvent {
public:
   Double_t fHeat = 0;
   MyHotEvent() {}
   MyHotEvent(Int_t id, Double_t e, Int_t ntrk, Double_t heat) : MyEvent(id, e, ntrk), fHeat(heat) {}
   ClassDefOverride(MyHotEvent, 1)
};

#endif
