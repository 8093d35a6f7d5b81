// Compiles and loads the package's helper class where the package is enabled.
Int_t SETUP()
{
   if (gSystem->CompileMacro("DiMuonKin.C", "k") != 1) return -1;
   return 0;
}
