// proofshim's C++ library: the PROOF classes legacy code links against, the tree player hook,
// the worker event loop and output merging. Compiled once per host with ACLiC (proofshim/runtime.py);
// the classes get dictionaries so their objects stream and ACLiC-compiled selectors can link to them.
// A unity build: this file includes one part per class (or per part of the ProofShim namespace), in
// this order, so that ACLiC compiles one file into one library with one dictionary (the LinkDef
// block at the end). The parts rely on the includes made here and on the parts before them.
#include "TProof.h"
#include "TDSet.h"
#include "TProofServ.h"
#include "TProofMgr.h"
#include "TProofDebug.h"
#include "TQueryResult.h"
#include "TSlaveInfo.h"
#include "TProofOutputFile.h"
#include "TProofLog.h"
#include "TPerfStats.h"
#include "ProofShimCore.h"
#include "ProofShimMacros.h"

// Definitions: compiled into the library, not handed to cling, which parses the dictionary's
// payload (this file) each time the library is loaded; cling needs the declarations of the headers
// only. Measured: loading the library took 0.9-1.1 s with them, 0.2-0.4 s without.
#ifndef __CLING__

#include "TChain.h"
#include "TChainElement.h"
#include "TClass.h"
#include "TDataMember.h"
#include "TDirectory.h"
#include "TEntryList.h"
#include "TError.h"
#include "TFile.h"
#include "TH1.h"
#include "TKey.h"
#include "TMacro.h"
#include "TParameter.h"
#include "TFileCollection.h"
#include "TFriendElement.h"
#include "TFileInfo.h"
#include "TFileMerger.h"
#include "TSystem.h"
#include "TMap.h"
#include "TMethodCall.h"
#include "TObjArray.h"
#include "TObjString.h"
#include "TROOT.h"
#include "TRealData.h"
#include "TRegexp.h"
#include "TTree.h"
#include "TUrl.h"
#include "TVirtualTreePlayer.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <exception>
#include <stdexcept>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>
#include <unistd.h>
#include <dlfcn.h>
#include <cstdint>

#include "ProofShimHooks.cxx"
#include "ProofShimChains.cxx"
#include "ProofShimClient.cxx"
#include "ProofShimRunner.cxx"
#include "ProofShimDraw.cxx"
#include "ProofShimTreePlayer.cxx"
#include "TProof.cxx"
#include "TPerfStats.cxx"
#include "TSlaveInfo.cxx"
#include "TQueryResult.cxx"
#include "TDSet.cxx"
#include "TProofOutputFile.cxx"
#include "TProofMgr.cxx"
#include "TProofLog.cxx"
#include "TProofServ.cxx"
#include "TProofCompat.cxx"

// A macro compiled with another proofshim cache links to that cache's copy of this library by
// path; loading it would load a second copy, whose gProof and hooks are not the active ones. Each
// copy exports this symbol: a copy that finds another copy's one (loaded first, globally) says so.
extern "C" int proofshim_library_copy_anchor;
int proofshim_library_copy_anchor = 0;

static void WarnSecondCopy()
{
   void *first = dlsym(RTLD_DEFAULT, "proofshim_library_copy_anchor");
   Dl_info mine, theirs;
   // Not compared with &proofshim_library_copy_anchor: in a second copy that address is the
   // first copy's too (the symbol is interposed); the files of the two addresses tell them apart.
   if (!first) return;
   if (!dladdr((void *)&WarnSecondCopy, &mine) || !dladdr(first, &theirs)) return;
   if (!mine.dli_fname || !theirs.dli_fname || !strcmp(mine.dli_fname, theirs.dli_fname)) return;
   ::Error("proofshim",
           "a second copy of proofshim's C++ library is being loaded, from %s, beside the one this "
           "process uses (%s): a macro or library compiled with another proofshim cache links to it. "
           "Recompile that macro with '++' (e.g. .L run.C++) or delete its _C.so.",
           mine.dli_fname, theirs.dli_fname);
}

static int gWarnedSecondCopy = (WarnSecondCopy(), 0);

#endif // !__CLING__

// =====================================================================================
// process exit: declared for cling too (TROOT::CloseFiles calls ExitGuard::Close through it)

#include "ProofShimExitGuard.cxx"

#ifdef __ROOTCLING__
#pragma link C++ class ProofShim::ExitGuard+;
#pragma link C++ class TProof+;
#pragma link C++ class TDSet+;
#pragma link C++ class TDSetElement+;
#pragma link C++ class TProofServ+;
#pragma link C++ class TProofMgr+;
#pragma link C++ class TProofDesc+;
#pragma link C++ class TProofProgressInfo+;
#pragma link C++ class TProofLockPath+;
#pragma link C++ class TSlaveInfo+;
#pragma link C++ class TQueryResult+;
#pragma link C++ class TPerfEvent+;
#pragma link C++ class TProofLog;
#pragma link C++ class TProofLogElem;
#pragma link C++ function ProofShim::AddLines;
#pragma link C++ class TProofOutputFile+;
#pragma link C++ class TProofShimTreePlayer+;
#pragma link C++ namespace ProofShim;
#pragma link C++ class ProofShim::Runner;
#pragma link C++ class ProofShim::DrawEngine;
#pragma link C++ class ProofShim::DrawSelector;
#pragma link C++ function ProofShim::SetDrawResult;
#pragma link C++ function ProofShim::SetChainProof;
#pragma link C++ function ProofShim::ProofForTree;
#pragma link C++ function ProofShim::MissingSession;
#pragma link C++ function ProofShim::ProcessTree;
#pragma link C++ class ProofShim::TreeProxy;
#pragma link C++ function ProofShim::NumberOfProofChains;
#pragma link C++ function ProofShim::NewSelector;
#pragma link C++ function ProofShim::ClassIsSelector;
#pragma link C++ function ProofShim::EntryListEntries;
#pragma link C++ function ProofShim::MergeOutputLists;
#pragma link C++ function ProofShim::MapOutputToMembers;
#pragma link C++ function ProofShim::SetMembersFromOutput;
#pragma link C++ function ProofShim::CallHook;
#pragma link C++ function ProofShim::ObjectHook;
#pragma link C++ function ProofShim::ListOfProofs;
#pragma link C++ global gProof;
#pragma link C++ global gProofServ;
#endif
