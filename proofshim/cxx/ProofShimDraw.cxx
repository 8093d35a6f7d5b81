// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// TTree::Draw on the workers (ProofShim::DrawEngine, ProofShim::DrawSelector).

// =====================================================================================
// parallel Draw

namespace ProofShim {

Int_t DrawEngine::Start(TTree *tree, const char *varexp, const char *selection, const char *option)
{
   fDrawInput.Delete();
   fDrawInput.Add(new TNamed("varexp", varexp ? varexp : ""));
   fDrawInput.Add(new TNamed("selection", selection ? selection : ""));
   SetInputList(&fDrawInput);
   SetOption(option ? option : "");
   Begin(tree);
   return GetStatus() < 0 ? -1 : 0;
}

Bool_t DrawEngine::NeedsLimits() const
{
   TH1 *h = dynamic_cast<TH1 *>(fObject);
   return fAction < 0 && h && h->CanExtendAllAxes();
}

void DrawEngine::ScatterAsHistogram()
{
   // 2-D (12) and 3-D (13) scatter plots become the 2-D and 3-D histograms of their points.
   if (fAction == 12 || fAction == -12) fAction = fAction > 0 ? 2 : -2;
   if (fAction == 13 || fAction == -13) fAction = fAction > 0 ? 3 : -3;
}

void DrawEngine::Collect(Double_t *mins, Double_t *maxs)
{
   for (Int_t i = 0; i < fDimension && i < 4; ++i) {
      for (Int_t k = 0; k < fNfill; ++k) {
         if (fVal[i][k] < mins[i]) mins[i] = fVal[i][k];
         if (fVal[i][k] > maxs[i]) maxs[i] = fVal[i][k];
      }
   }
   fSelectedRows += fNfill;
   fNfill = 0;
}

void DrawEngine::Estimate(const Double_t *mins, const Double_t *maxs)
{
   // TSelectorDraw derives the axes from the extreme values it buffered (and extends them while
   // filling those); two rows holding the global extremes give it the same axes.
   for (Int_t i = 0; i < fDimension && i < 4; ++i) {
      fVal[i][0] = mins[i];
      fVal[i][1] = maxs[i];
   }
   fW[0] = fW[1] = 1;
   fNfill = 2;
   if (fAction < 0) fAction = -fAction;
   TakeEstimate();
   fNfill = 0;
   if (TH1 *h = dynamic_cast<TH1 *>(fObject)) {
      h->Reset();
      // TProfile::Reset leaves the sums of squares of the two rows behind.
      if (h->GetSumw2N()) h->GetSumw2()->Reset();
   }
}

void DrawEngine::Flush()
{
   if (fNfill) {
      TakeAction();
      fNfill = 0;
   }
}

DrawSelector::~DrawSelector()
{
   delete fEngine;
   delete fDir;   // with whatever is still in it
}

void DrawSelector::SlaveBegin(TTree *)
{
   TObject *mode = fInput->FindObject("PROOFSHIM_Draw");
   fLimits = mode && TString(mode->GetTitle()) == "limits";
   for (Int_t i = 0; i < 4; ++i) {
      fMin[i] = std::numeric_limits<Double_t>::max();
      fMax[i] = -std::numeric_limits<Double_t>::max();
   }
   fDir = new TDirectory(TString::Format("proofshim_draw_%p", (void *)this), "proofshim Draw", "", nullptr);
   if (!fLimits) {
      TList *target = dynamic_cast<TList *>(fInput->FindObject("PROOFSHIM_DrawTarget"));
      if (!target || !target->First()) {
         Abort("proofshim Draw: the object to fill is missing from the input list");
         return;
      }
      fTargetName = target->First()->GetName();
      fTarget = target->First()->Clone("__proofshim_draw");
      if (TH1 *h = dynamic_cast<TH1 *>(fTarget)) h->SetDirectory(fDir);
      else fDir->Append(fTarget);
   }
}

void DrawSelector::FinishEngine()
{
   if (!fEngine) return;
   if (fLimits) fEngine->Collect(fMin, fMax);
   else fEngine->Flush();
   fRows += fEngine->GetSelectedRows();
   fDim = fEngine->GetDimension();
   delete fEngine;
   fEngine = nullptr;
}

void DrawSelector::TreeClosing()
{
   TDirectory::TContext ctx(fDir);
   FinishEngine();
   fTree = nullptr;
}

void DrawSelector::Init(TTree *tree)
{
   if (tree == fTree && fEngine) return;
   FinishEngine();
   fTree = tree;
   if (!tree) return;
   TObject *v = fInput->FindObject("varexp");
   TObject *s = fInput->FindObject("selection");
   TString varexp = v ? v->GetTitle() : "";
   if (!fLimits) varexp += ">>+__proofshim_draw";
   TString option = GetOption();
   option += " goff";
   fEngine = new DrawEngine;
   TDirectory::TContext ctx(fDir);
   if (fEngine->Start(tree, varexp, s ? s->GetTitle() : "", option) != 0) {
      delete fEngine;
      fEngine = nullptr;
      throw std::runtime_error(std::string("cannot draw '") + varexp.Data() + "' from tree '" + tree->GetName() +
                               "': see the error above");
   }
}

Bool_t DrawSelector::Notify()
{
   return fEngine ? fEngine->Notify() : kTRUE;
}

Bool_t DrawSelector::Process(Long64_t entry)
{
   fTree->LoadTree(entry);
   fEngine->ProcessFill(entry);
   if (fLimits) fEngine->Collect(fMin, fMax);
   return kTRUE;
}

void DrawSelector::SlaveTerminate()
{
   {
      TDirectory::TContext ctx(fDir);
      FinishEngine();
   }
   fOutput->Add(new TParameter<Long64_t>("PROOFSHIM_DrawRows", fRows));
   if (fLimits) {
      for (Int_t i = 0; i < fDim && i < 4 && fRows > 0; ++i) {
         auto *lo = new TParameter<Double_t>(TString::Format("PROOFSHIM_DrawMin%d", i), fMin[i], 'm');
         auto *hi = new TParameter<Double_t>(TString::Format("PROOFSHIM_DrawMax%d", i), fMax[i], 'M');
         fOutput->Add(lo);
         fOutput->Add(hi);
      }
   } else if (fTarget) {
      if (TH1 *h = dynamic_cast<TH1 *>(fTarget)) h->SetDirectory(nullptr);
      else fDir->Remove(fTarget);
      TNamed *named = dynamic_cast<TNamed *>(fTarget);
      if (named) named->SetName(fTargetName);
      fOutput->Add(fTarget);
      fTarget = nullptr;
   }
}

void SetDrawResult(TTree *tree, TH1 *histogram, Long64_t rows)
{
   if (auto *player = dynamic_cast<TProofShimTreePlayer *>(tree ? tree->GetPlayer() : nullptr))
      player->SetDrawResult(histogram, rows);
}

} // namespace ProofShim
