// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// TProofMgr and TProofDesc.

// =====================================================================================
// TProofMgr, TProofDesc

TProof *TProofMgr::CreateSession(const char *, const char *, Int_t loglevel)
{
   fSession = TProof::Open(fUrl, nullptr, nullptr, loglevel);
   return fSession;
}

void TProofMgr::DetachSession(TProof *p, Option_t *opt)
{
   if (p) p->Detach(opt);
}

void TProofMgr::ShutdownSession(TProof *p)
{
   if (p) p->Close();
}

void TProofDesc::Print(Option_t *) const
{
   const char *st = fStatus == kIdle ? "idle" : fStatus == kRunning ? "running"
                  : fStatus == kShutdown ? "shutting down" : "unknown";
   Printf("// #%d # \"%s\" # \"%s\" # (%s)", fLocalId, GetName(), GetTitle(), st);
   Printf("// alias: %s, url: \"%s\"", GetTitle(), fUrl.Data());
}

TProofLog *TProofMgr::GetSessionLogs(Int_t, const char *, const char *, Bool_t)
{
   TProof *p = fSession && fSession->IsValid() ? fSession : gProof;
   if (!p || !p->IsValid()) {
      ::Error("TProofMgr::GetSessionLogs", "no open PROOF session: open one with TProof::Open");
      return nullptr;
   }
   return dynamic_cast<TProofLog *>(ProofShim::ObjectHook(p, "GetSessionLogs", ""));
}

