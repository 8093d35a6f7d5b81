// A legacy driver macro: a chain tied to the session with SetProof() whose first file the client
// cannot open, processed in the forms legacy code used: through a pointer, a member of an
// analysis object, a function's result, and a chain object. PROOF judged the files where they
// were read (the workers): each call must process the other files and list the missing one.
#include "TChain.h"
#include "TFileCollection.h"
#include "TFileInfo.h"
#include "TParameter.h"
#include "TProof.h"
#include "TString.h"

struct Analysis {
   TChain *fChain = nullptr;
   TChain *GetChain() { return fChain; }
};

static TChain *gTheChain = nullptr;
TChain *theChain() { return gTheChain; }

static int check(const char *form, Long64_t rc, Long64_t expected, const char *missing)
{
   TParameter<Long64_t> *n = dynamic_cast<TParameter<Long64_t> *>(gProof->GetOutputList()->FindObject("n_Process"));
   TFileCollection *fc = gProof->GetMissingFiles();
   Bool_t listed = fc && fc->GetList()->GetSize() == 1 &&
                   TString(((TFileInfo *)fc->GetList()->First())->GetCurrentUrl()->GetFile()).EndsWith(missing);
   printf("process_forms: %s: Process returned %lld, n_Process %lld (expected %lld), missing file %s\n", form,
          rc, n ? n->GetVal() : -1, expected, listed ? "listed" : "NOT listed");
   delete fc;
   return (rc == 0 && n && n->GetVal() == expected && listed) ? 0 : 1;
}

int process_forms(const char *missing, const char *good, const char *selector, Long64_t expected)
{
   if (!gProof) TProof::Open("workers=2");
   // `good` lists the readable files, separated by blanks.
   TString files(good), f;
   Ssiz_t from = 0;
   TChain *c = new TChain("T");
   c->Add(missing);
   while (files.Tokenize(f, from, " ")) c->Add(f);
   c->SetProof();

   int bad = 0;
   bad += check("pointer", c->Process(selector), expected, missing);

   Analysis ana;
   ana.fChain = c;
   bad += 2 * check("member", ana.fChain->Process(selector, ""), expected, missing);
   bad += 4 * check("accessor", ana.GetChain()->Process(selector), expected, missing);

   gTheChain = c;
   bad += 8 * check("function result", theChain()->Process(selector, "", TChain::kMaxEntries, 0), expected, missing);

   TChain obj("T");
   obj.Add(missing);
   from = 0;
   while (files.Tokenize(f, from, " ")) obj.Add(f);
   obj.SetProof();
   bad += 16 * check("object", obj.Process(selector), expected, missing);
   obj.SetProof(kFALSE);
   c->SetProof(kFALSE);
   delete c;
   if (!bad) printf("process_forms: all forms processed on the workers\n");
   return bad;
}
