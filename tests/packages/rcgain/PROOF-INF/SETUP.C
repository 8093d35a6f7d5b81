Int_t SETUP()
{
   if (gSystem->Getenv("ROOTPROOFLITE")) {
      Printf("rcgain-SETUP: PROOF-Lite node (session has %s workers)", gSystem->Getenv("ROOTPROOFLITE"));
   } else if (gSystem->Getenv("ROOTPROOFCLIENT")) {
      Printf("rcgain-SETUP: PROOF client");
   } else {
      Printf("rcgain-SETUP: standard PROOF node");
   }
   if (gSystem->Load("librcgain") < 0) return -1;
   gROOT->ProcessLine("#include \"rcgain.h\"");
   Printf("rcgain-SETUP(): done");   // printed as written: proofshim renames the function, not the text
   return 0;
}
