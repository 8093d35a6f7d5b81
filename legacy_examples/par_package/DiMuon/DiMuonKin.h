// Helper class of the DiMuon package: two-body kinematics shared by several analyses.
#ifndef DiMuonKin_h
#define DiMuonKin_h

#include "TObject.h"

class DiMuonKin : public TObject {
public:
   DiMuonKin(Double_t mass = 0.105658) : fMass(mass) {}
   // Invariant mass of two particles given (pt, eta, phi) each.
   Double_t Mass(Double_t pt1, Double_t eta1, Double_t phi1, Double_t pt2, Double_t eta2, Double_t phi2) const;
   Double_t PairPt(Double_t pt1, Double_t phi1, Double_t pt2, Double_t phi2) const;

private:
   Double_t fMass;
   ClassDef(DiMuonKin, 1);
};

#endif
