#include "DiMuonKin.h"
#include "TLorentzVector.h"
#include "TMath.h"

ClassImp(DiMuonKin);

Double_t DiMuonKin::Mass(Double_t pt1, Double_t eta1, Double_t phi1, Double_t pt2, Double_t eta2,
                         Double_t phi2) const
{
   TLorentzVector a, b;
   a.SetPtEtaPhiM(pt1, eta1, phi1, fMass);
   b.SetPtEtaPhiM(pt2, eta2, phi2, fMass);
   return (a + b).M();
}

Double_t DiMuonKin::PairPt(Double_t pt1, Double_t phi1, Double_t pt2, Double_t phi2) const
{
   Double_t px = pt1 * TMath::Cos(phi1) + pt2 * TMath::Cos(phi2);
   Double_t py = pt1 * TMath::Sin(phi1) + pt2 * TMath::Sin(phi2);
   return TMath::Sqrt(px * px + py * py);
}
