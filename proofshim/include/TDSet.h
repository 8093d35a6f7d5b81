// proofshim: PROOF's data set description (files, trees, entry ranges).
#ifndef ROOT_TDSet
#define ROOT_TDSet

#include "TNamed.h"
#include "TCut.h"
#include "TList.h"
#include "TString.h"

// As PROOF's TDSet.h (kept for old clients' requests there; legacy code may rely on them)
#include <list>
#include <set>

class TChain;
class TCollection;
class TEntryList;
class TEventList;
class TFileInfo;
class THashList;
class TIter;
class TProof;
class TSelector;
class TFileCollection;
class TTree;

// One file (or part of one) of a TDSet.
class TDSetElement : public TNamed {
public:
   typedef std::list<std::pair<TDSetElement *, TString> > FriendsList_t;

private:
   TString  fDirectory;        // directory in the file holding the object
   Long64_t fFirst = 0;        // first entry to process
   Long64_t fNum = -1;         // entries to process, -1: all
   TString  fMsd;              // mass storage domain (kept for compatibility)
   Long64_t fTDSetOffset = 0;  // entry offset of this element in the whole set
   Long64_t fEntries = -1;     // entries in the object, when known
   TList   *fFriends = nullptr;

public:
   enum EStatusBits { kHasBeenLookedUp = BIT(15), kWriteV3 = BIT(16), kEmpty = BIT(17),
                      kCorrupted = BIT(18), kNewRun = BIT(19), kNewPacket = BIT(20) };
   TDSetElement() {}
   TDSetElement(const char *file, const char *objname = nullptr, const char *dir = nullptr,
                Long64_t first = 0, Long64_t num = -1, const char *msd = nullptr);
   TDSetElement(const TDSetElement &elem);
   virtual ~TDSetElement();

   const char *GetFileName() const { return GetName(); }
   void        SetFileName(const char *name) { SetName(name); }
   const char *GetObjName() const { return GetTitle(); }
   const char *GetDirectory() const { return fDirectory; }
   const char *GetMsd() const { return fMsd; }
   Long64_t    GetFirst() const { return fFirst; }
   void        SetFirst(Long64_t first) { fFirst = first; }
   Long64_t    GetNum() const { return fNum; }
   void        SetNum(Long64_t num) { fNum = num; }
   Long64_t    GetEntries(Bool_t = kTRUE, Bool_t = kTRUE) { return fEntries; }
   void        SetEntries(Long64_t ent) { fEntries = ent; }
   Long64_t    GetTDSetOffset() const { return fTDSetOffset; }
   void        SetTDSetOffset(Long64_t off) { fTDSetOffset = off; }
   TList      *GetListOfFriends() const { return fFriends; }
   void        Print(Option_t *option = "") const override;

   ClassDefOverride(TDSetElement, 9) // A file or part of a file in a TDSet
};

class TDSet : public TNamed {
private:
   TString  fDir;              // default directory of the objects
   TString  fType;             // class of the objects ("TTree" for trees)
   TString  fObjName;          // default object name
   Bool_t   fIsTree = kTRUE;
   TList   *fElements = nullptr;
   TObject *fEntryList = nullptr;
   TList   *fFriends = nullptr; // TPair(TDSet, alias) list
   TIter   *fIterator = nullptr; //!
   TDSetElement *fCurrent = nullptr; //!

public:
   // PROOF's TDSet status bits
   enum EStatusBits {
      kWriteV3         = BIT(16),
      kEmpty           = BIT(17),
      kValidityChecked = BIT(18), // elements' validity has been checked
      kSomeInvalid     = BIT(19), // at least one element is invalid
      kMultiDSet       = BIT(20), // fElements is a list of data sets
      kIsLocal         = BIT(21)  // local, non-PROOF, processing
   };

   TDSet();
   TDSet(const char *name, const char *objname = "*", const char *dir = "/", const char *type = nullptr);
   TDSet(const TChain &chain, Bool_t withfriends = kTRUE);
   virtual ~TDSet();

   virtual Bool_t Add(const char *file, const char *objname = nullptr, const char *dir = nullptr,
                      Long64_t first = 0, Long64_t num = -1, const char *msd = nullptr);
   virtual Bool_t Add(TDSet *set);
   virtual Bool_t Add(TCollection *fileinfo, const char *meta = nullptr,
                      Bool_t availableOnly = kFALSE, TCollection *badlist = nullptr);
   virtual void   AddFriend(TDSet *friendset, const char *alias);

   const char    *GetType() const { return fType; }
   const char    *GetObjName() const { return fObjName; }
   const char    *GetDirectory() const { return fDir; }
   Bool_t         IsTree() const { return fIsTree; }
   TList         *GetListOfElements() const { return fElements; }
   Int_t          GetNumOfFiles() { return fElements->GetSize(); }
   TList         *GetListOfFriends() const { return fFriends; }
   void           SetEntryList(TObject *aList) { fEntryList = aList; }
   TObject       *GetEntryList() const { return fEntryList; }
   void           Reset();
   TDSetElement  *Next(Long64_t totalEntries = -1);
   TDSetElement  *Current() const { return fCurrent; }
   void           Print(Option_t *option = "") const override;

   virtual Long64_t Process(const char *selector, Option_t *option = "", Long64_t nentries = -1,
                            Long64_t firstentry = 0, TObject *enl = nullptr);
   virtual Long64_t Process(TSelector *selector, Option_t *option = "", Long64_t nentries = -1,
                            Long64_t firstentry = 0, TObject *enl = nullptr);
   virtual Long64_t Draw(const char *varexp, const char *selection, Option_t *option = "",
                         Long64_t nentries = -1, Long64_t firstentry = 0);
   virtual Long64_t Draw(const char *varexp, const TCut &selection, Option_t *option = "",
                         Long64_t nentries = -1, Long64_t firstentry = 0);
   void             Draw(Option_t *varexp = "") override { Draw(varexp, "", "", -1, 0); }
   void     AddInput(TObject *obj);
   void     ClearInput();
   TObject *GetOutput(const char *name);
   TList   *GetOutputList();

   ClassDefOverride(TDSet, 9) // Data set for remote processing (proofshim)
};

#endif
