// proofshim's C++ library, one part of the unity build in ProofShim.cxx (which includes the
// headers, ROOT's and the standard library's this part uses; compile ProofShim.cxx, not this file):
// TProofServ, TProofLockPath and TProofDebug's globals.

// =====================================================================================
// TProofServ, TProofDebug, TProofLockPath

TProofServ *gProofServ = nullptr;
TProofDebug::EProofDebugMask gProofDebugMask = TProofDebug::kAll;
Int_t gProofDebugLevel = 0;

void TProofServ::SendAsynMessage(const char *msg, Bool_t)
{
   ProofShim::CallHook(nullptr, "SendAsynMessage", msg, 0);
}

Int_t TProofLockPath::Lock()
{
   if (IsLocked()) return 0;
   const char *path = GetName();
   Int_t fd = ::open(path, O_CREAT | O_RDWR, 0644);
   if (fd < 0) {
      SysError("Lock", "cannot open lock file %s", path);
      return -1;
   }
   if (::lockf(fd, F_LOCK, (off_t)1) == -1) {
      SysError("Lock", "error locking %s", path);
      ::close(fd);
      return -1;
   }
   fLockId = fd;
   return 0;
}

Int_t TProofLockPath::Unlock()
{
   if (!IsLocked()) return 0;
   if (::lockf(fLockId, F_ULOCK, (off_t)1) == -1) {
      SysError("Unlock", "error unlocking %s", GetName());
      ::close(fLockId);
      fLockId = -1;
      return -1;
   }
   ::close(fLockId);
   fLockId = -1;
   return 0;
}
