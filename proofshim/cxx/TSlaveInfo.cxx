// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// TSlaveInfo.

// =====================================================================================
// TSlaveInfo

Int_t TSlaveInfo::Compare(const TObject *obj) const
{
   // Ordinals compare field by field as numbers ("0.2" before "0.10"), as in PROOF.
   if (!obj) return 1;
   const TSlaveInfo *si = dynamic_cast<const TSlaveInfo *>(obj);
   if (!si) return fOrdinal.CompareTo(obj->GetName());
   const char *mine = fOrdinal.Data(), *other = si->fOrdinal.Data();
   while (mine && other) {
      Int_t a = atoi(mine), b = atoi(other);
      if (a != b) return a < b ? -1 : 1;
      mine = strchr(mine, '.');
      other = strchr(other, '.');
      if (mine) mine++;
      if (other) other++;
   }
   if (mine) return 1;
   if (other) return -1;
   return 0;
}

Bool_t TSlaveInfo::IsEqual(const TObject *obj) const
{
   const TSlaveInfo *si = dynamic_cast<const TSlaveInfo *>(obj);
   return si && fOrdinal == si->fOrdinal;
}

void TSlaveInfo::SetSysInfo(SysInfo_t si)
{
   fSysInfo = si;
}

void TSlaveInfo::Print(Option_t *) const
{
   const char *st = fStatus == kActive ? "active" : fStatus == kNotActive ? "not active" : "bad";
   Printf("Worker: %9s  %-40s  %s", fOrdinal.Data(), fHostName.Data(), st);
}
