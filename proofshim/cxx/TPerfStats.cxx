// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// TPerfEvent.

// =====================================================================================
// TPerfEvent

TPerfEvent::TPerfEvent(TTimeStamp *offset)
   : fEvtNode("0"), fType(TVirtualPerfStats::kUnDefined), fEventsProcessed(0), fBytesRead(0), fLen(0),
     fLatency(0.), fProcTime(0.), fCpuTime(0.), fIsStart(kFALSE), fIsOk(kFALSE)
{
   if (gProofServ) fEvtNode = gProofServ->GetOrdinal();
   if (offset)
      fTimeStamp = TTimeStamp(fTimeStamp.GetSec() - offset->GetSec(), fTimeStamp.GetNanoSec() - offset->GetNanoSec());
}

Int_t TPerfEvent::Compare(const TObject *obj) const
{
   const TPerfEvent *pe = dynamic_cast<const TPerfEvent *>(obj);
   if (!pe) return 0;
   if (fTimeStamp < pe->fTimeStamp) return -1;
   return fTimeStamp == pe->fTimeStamp ? 0 : 1;
}

void TPerfEvent::Print(Option_t *) const
{
   TString where = fEvtNode == "0" ? TString("TPerfEvent: Master ") : TString::Format("TPerfEvent: Worker %s ", fEvtNode.Data());
   Printf("%s %s %f", where.Data(), TVirtualPerfStats::EventType(fType), double(fTimeStamp));
}
