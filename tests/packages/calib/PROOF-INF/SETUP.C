// Basic signature: load what BUILD.sh built, compile the class ("k": kept, so once per host).
Int_t SETUP()
{
   if (gSystem->Load("libCalibCore") < 0) return -1;
   if (gSystem->CompileMacro("Calib.C", "k") != 1) return -1;
   printf("calib-SETUP: Calib ready\n");
   return 0;
}
