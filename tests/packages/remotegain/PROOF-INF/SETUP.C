// Loads what BUILD.sh built (the package directory is on the library path).
Int_t SETUP()
{
   return gSystem->Load("libRemoteGain") < 0 ? -1 : 0;
}
