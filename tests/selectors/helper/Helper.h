#ifndef ProofShimTestHelper_h
#define ProofShimTestHelper_h
// A helper library shipped with TProof::Load before the selector that uses it.
double HelperScale(double x);
#endif
