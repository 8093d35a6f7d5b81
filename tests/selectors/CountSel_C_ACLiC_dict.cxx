// Do NOT change. Changes will be lost next time file is generated

#define R__DICTIONARY_FILENAME dIworkdImaindItestsdIselectorsdICountSel_C_ACLiC_dict
#define R__NO_DEPRECATION

/*******************************************************************/
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cassert>
#define G__DICTIONARY
#include "ROOT/RConfig.hxx"
#include "TClass.h"
#include "TDictAttributeMap.h"
#include "TInterpreter.h"
#include "TROOT.h"
#include "TBuffer.h"
#include "TMemberInspector.h"
#include "TInterpreter.h"
#include "TVirtualMutex.h"
#include "TError.h"

#ifndef G__ROOT
#define G__ROOT
#endif

#include "RtypesImp.h"
#include "TIsAProxy.h"
#include "TFileMergeInfo.h"
#include <algorithm>
#include "TCollectionProxyInfo.h"
/*******************************************************************/

#include "TDataMember.h"

// The generated code does not explicitly qualify STL entities
namespace std {} using namespace std;

// Header files passed as explicit arguments
#include "/work/main/tests/selectors/CountSel.C"

// Header files passed via #pragma extra_include

namespace ROOT {
   static void *new_CounterObj(void *p = nullptr);
   static void *newArray_CounterObj(Long_t size, void *p);
   static void delete_CounterObj(void *p);
   static void deleteArray_CounterObj(void *p);
   static void destruct_CounterObj(void *p);
   static Long64_t merge_CounterObj(void *obj, TCollection *coll,TFileMergeInfo *info);

   // Function generating the singleton type initializer
   static TGenericClassInfo *GenerateInitInstanceLocal(const ::CounterObj*)
   {
      ::CounterObj *ptr = nullptr;
      static ::TVirtualIsAProxy* isa_proxy = new ::TInstrumentedIsAProxy< ::CounterObj >(nullptr);
      static ::ROOT::TGenericClassInfo 
         instance("CounterObj", ::CounterObj::Class_Version(), "tests/selectors/CountSel.h", 21,
                  typeid(::CounterObj), ::ROOT::Internal::DefineBehavior(ptr, ptr),
                  &::CounterObj::Dictionary, isa_proxy, 4,
                  sizeof(::CounterObj), alignof(::CounterObj) );
      instance.SetNew(&new_CounterObj);
      instance.SetNewArray(&newArray_CounterObj);
      instance.SetDelete(&delete_CounterObj);
      instance.SetDeleteArray(&deleteArray_CounterObj);
      instance.SetDestructor(&destruct_CounterObj);
      instance.SetMerge(&merge_CounterObj);
      return &instance;
   }
   TGenericClassInfo *GenerateInitInstance(const ::CounterObj*)
   {
      return GenerateInitInstanceLocal(static_cast<::CounterObj*>(nullptr));
   }
   // Static variable to force the class initialization
   static ::ROOT::TGenericClassInfo *_R__UNIQUE_DICT_(Init) = GenerateInitInstanceLocal(static_cast<const ::CounterObj*>(nullptr)); R__UseDummy(_R__UNIQUE_DICT_(Init));
} // end of namespace ROOT

namespace ROOT {
   static void *new_Unmergeable(void *p = nullptr);
   static void *newArray_Unmergeable(Long_t size, void *p);
   static void delete_Unmergeable(void *p);
   static void deleteArray_Unmergeable(void *p);
   static void destruct_Unmergeable(void *p);

   // Function generating the singleton type initializer
   static TGenericClassInfo *GenerateInitInstanceLocal(const ::Unmergeable*)
   {
      ::Unmergeable *ptr = nullptr;
      static ::TVirtualIsAProxy* isa_proxy = new ::TInstrumentedIsAProxy< ::Unmergeable >(nullptr);
      static ::ROOT::TGenericClassInfo 
         instance("Unmergeable", ::Unmergeable::Class_Version(), "tests/selectors/CountSel.h", 32,
                  typeid(::Unmergeable), ::ROOT::Internal::DefineBehavior(ptr, ptr),
                  &::Unmergeable::Dictionary, isa_proxy, 4,
                  sizeof(::Unmergeable), alignof(::Unmergeable) );
      instance.SetNew(&new_Unmergeable);
      instance.SetNewArray(&newArray_Unmergeable);
      instance.SetDelete(&delete_Unmergeable);
      instance.SetDeleteArray(&deleteArray_Unmergeable);
      instance.SetDestructor(&destruct_Unmergeable);
      return &instance;
   }
   TGenericClassInfo *GenerateInitInstance(const ::Unmergeable*)
   {
      return GenerateInitInstanceLocal(static_cast<::Unmergeable*>(nullptr));
   }
   // Static variable to force the class initialization
   static ::ROOT::TGenericClassInfo *_R__UNIQUE_DICT_(Init) = GenerateInitInstanceLocal(static_cast<const ::Unmergeable*>(nullptr)); R__UseDummy(_R__UNIQUE_DICT_(Init));
} // end of namespace ROOT

namespace ROOT {
   static void *new_CountSel(void *p = nullptr);
   static void *newArray_CountSel(Long_t size, void *p);
   static void delete_CountSel(void *p);
   static void deleteArray_CountSel(void *p);
   static void destruct_CountSel(void *p);

   // Function generating the singleton type initializer
   static TGenericClassInfo *GenerateInitInstanceLocal(const ::CountSel*)
   {
      ::CountSel *ptr = nullptr;
      static ::TVirtualIsAProxy* isa_proxy = new ::TInstrumentedIsAProxy< ::CountSel >(nullptr);
      static ::ROOT::TGenericClassInfo 
         instance("CountSel", ::CountSel::Class_Version(), "tests/selectors/CountSel.h", 40,
                  typeid(::CountSel), ::ROOT::Internal::DefineBehavior(ptr, ptr),
                  &::CountSel::Dictionary, isa_proxy, 4,
                  sizeof(::CountSel), alignof(::CountSel) );
      instance.SetNew(&new_CountSel);
      instance.SetNewArray(&newArray_CountSel);
      instance.SetDelete(&delete_CountSel);
      instance.SetDeleteArray(&deleteArray_CountSel);
      instance.SetDestructor(&destruct_CountSel);
      return &instance;
   }
   TGenericClassInfo *GenerateInitInstance(const ::CountSel*)
   {
      return GenerateInitInstanceLocal(static_cast<::CountSel*>(nullptr));
   }
   // Static variable to force the class initialization
   static ::ROOT::TGenericClassInfo *_R__UNIQUE_DICT_(Init) = GenerateInitInstanceLocal(static_cast<const ::CountSel*>(nullptr)); R__UseDummy(_R__UNIQUE_DICT_(Init));
} // end of namespace ROOT

//______________________________________________________________________________
atomic_TClass_ptr CounterObj::fgIsA(nullptr);  // static to hold class pointer

//______________________________________________________________________________
const char *CounterObj::Class_Name()
{
   return "CounterObj";
}

//______________________________________________________________________________
const char *CounterObj::ImplFileName()
{
   return ::ROOT::GenerateInitInstanceLocal((const ::CounterObj*)nullptr)->GetImplFileName();
}

//______________________________________________________________________________
int CounterObj::ImplFileLine()
{
   return ::ROOT::GenerateInitInstanceLocal((const ::CounterObj*)nullptr)->GetImplFileLine();
}

//______________________________________________________________________________
TClass *CounterObj::Dictionary()
{
   fgIsA = ::ROOT::GenerateInitInstanceLocal((const ::CounterObj*)nullptr)->GetClass();
   return fgIsA;
}

//______________________________________________________________________________
TClass *CounterObj::Class()
{
   if (!fgIsA.load()) { R__LOCKGUARD(gInterpreterMutex); fgIsA = ::ROOT::GenerateInitInstanceLocal((const ::CounterObj*)nullptr)->GetClass(); }
   return fgIsA;
}

//______________________________________________________________________________
atomic_TClass_ptr Unmergeable::fgIsA(nullptr);  // static to hold class pointer

//______________________________________________________________________________
const char *Unmergeable::Class_Name()
{
   return "Unmergeable";
}

//______________________________________________________________________________
const char *Unmergeable::ImplFileName()
{
   return ::ROOT::GenerateInitInstanceLocal((const ::Unmergeable*)nullptr)->GetImplFileName();
}

//______________________________________________________________________________
int Unmergeable::ImplFileLine()
{
   return ::ROOT::GenerateInitInstanceLocal((const ::Unmergeable*)nullptr)->GetImplFileLine();
}

//______________________________________________________________________________
TClass *Unmergeable::Dictionary()
{
   fgIsA = ::ROOT::GenerateInitInstanceLocal((const ::Unmergeable*)nullptr)->GetClass();
   return fgIsA;
}

//______________________________________________________________________________
TClass *Unmergeable::Class()
{
   if (!fgIsA.load()) { R__LOCKGUARD(gInterpreterMutex); fgIsA = ::ROOT::GenerateInitInstanceLocal((const ::Unmergeable*)nullptr)->GetClass(); }
   return fgIsA;
}

//______________________________________________________________________________
atomic_TClass_ptr CountSel::fgIsA(nullptr);  // static to hold class pointer

//______________________________________________________________________________
const char *CountSel::Class_Name()
{
   return "CountSel";
}

//______________________________________________________________________________
const char *CountSel::ImplFileName()
{
   return ::ROOT::GenerateInitInstanceLocal((const ::CountSel*)nullptr)->GetImplFileName();
}

//______________________________________________________________________________
int CountSel::ImplFileLine()
{
   return ::ROOT::GenerateInitInstanceLocal((const ::CountSel*)nullptr)->GetImplFileLine();
}

//______________________________________________________________________________
TClass *CountSel::Dictionary()
{
   fgIsA = ::ROOT::GenerateInitInstanceLocal((const ::CountSel*)nullptr)->GetClass();
   return fgIsA;
}

//______________________________________________________________________________
TClass *CountSel::Class()
{
   if (!fgIsA.load()) { R__LOCKGUARD(gInterpreterMutex); fgIsA = ::ROOT::GenerateInitInstanceLocal((const ::CountSel*)nullptr)->GetClass(); }
   return fgIsA;
}

//______________________________________________________________________________
void CounterObj::Streamer(TBuffer &R__b)
{
   // Stream an object of class CounterObj.

   if (R__b.IsReading()) {
      R__b.ReadClassBuffer(CounterObj::Class(),this);
   } else {
      R__b.WriteClassBuffer(CounterObj::Class(),this);
   }
}

namespace ROOT {
   // Wrappers around operator new
   static void *new_CounterObj(void *p) {
      return  p ? new(p) ::CounterObj : new ::CounterObj;
   }
   static void *newArray_CounterObj(Long_t nElements, void *p) {
      return p ? new(p) ::CounterObj[nElements] : new ::CounterObj[nElements];
   }
   // Wrapper around operator delete
   static void delete_CounterObj(void *p) {
      delete (static_cast<::CounterObj*>(p));
   }
   static void deleteArray_CounterObj(void *p) {
      delete [] (static_cast<::CounterObj*>(p));
   }
   static void destruct_CounterObj(void *p) {
      typedef ::CounterObj current_t;
      (static_cast<current_t*>(p))->~current_t();
   }
   // Wrapper around the merge function.
   static Long64_t  merge_CounterObj(void *obj,TCollection *coll,TFileMergeInfo *) {
      return ((::CounterObj*)obj)->Merge(coll);
   }
} // end of namespace ROOT for class ::CounterObj

//______________________________________________________________________________
void Unmergeable::Streamer(TBuffer &R__b)
{
   // Stream an object of class Unmergeable.

   if (R__b.IsReading()) {
      R__b.ReadClassBuffer(Unmergeable::Class(),this);
   } else {
      R__b.WriteClassBuffer(Unmergeable::Class(),this);
   }
}

namespace ROOT {
   // Wrappers around operator new
   static void *new_Unmergeable(void *p) {
      return  p ? new(p) ::Unmergeable : new ::Unmergeable;
   }
   static void *newArray_Unmergeable(Long_t nElements, void *p) {
      return p ? new(p) ::Unmergeable[nElements] : new ::Unmergeable[nElements];
   }
   // Wrapper around operator delete
   static void delete_Unmergeable(void *p) {
      delete (static_cast<::Unmergeable*>(p));
   }
   static void deleteArray_Unmergeable(void *p) {
      delete [] (static_cast<::Unmergeable*>(p));
   }
   static void destruct_Unmergeable(void *p) {
      typedef ::Unmergeable current_t;
      (static_cast<current_t*>(p))->~current_t();
   }
} // end of namespace ROOT for class ::Unmergeable

//______________________________________________________________________________
void CountSel::Streamer(TBuffer &R__b)
{
   // Stream an object of class CountSel.

   if (R__b.IsReading()) {
      R__b.ReadClassBuffer(CountSel::Class(),this);
   } else {
      R__b.WriteClassBuffer(CountSel::Class(),this);
   }
}

namespace ROOT {
   // Wrappers around operator new
   static void *new_CountSel(void *p) {
      return  p ? new(p) ::CountSel : new ::CountSel;
   }
   static void *newArray_CountSel(Long_t nElements, void *p) {
      return p ? new(p) ::CountSel[nElements] : new ::CountSel[nElements];
   }
   // Wrapper around operator delete
   static void delete_CountSel(void *p) {
      delete (static_cast<::CountSel*>(p));
   }
   static void deleteArray_CountSel(void *p) {
      delete [] (static_cast<::CountSel*>(p));
   }
   static void destruct_CountSel(void *p) {
      typedef ::CountSel current_t;
      (static_cast<current_t*>(p))->~current_t();
   }
} // end of namespace ROOT for class ::CountSel

namespace ROOT {
   // Registration Schema evolution read functions
   int RecordReadRules_CountSel_C_ACLiC_dict() {
      return 0;
   }
   static int _R__UNIQUE_DICT_(ReadRules_CountSel_C_ACLiC_dict) = RecordReadRules_CountSel_C_ACLiC_dict();R__UseDummy(_R__UNIQUE_DICT_(ReadRules_CountSel_C_ACLiC_dict));
} // namespace ROOT
namespace {
  void TriggerDictionaryInitialization_CountSel_C_ACLiC_dict_Impl() {
    static const char* headers[] = {
"tests/selectors/CountSel.C",
nullptr
    };
    static const char* includePaths[] = {
"/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/ROOT/include",
"/work/main/proofshim/include",
"/work/main/tests/macros",
"/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/ROOT/etc/",
"/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/ROOT/etc//cling",
"/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/ROOT/etc//cling/plugins/include",
"/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/ROOT/include",
"/root/.pyenv/versions/3.11.7/include",
"/tmp/tmpd0x8b1b4/include",
"/root/.pyenv/versions/3.11.7/include/python3.11",
"/work/main/proofshim/include",
"/usr/include/freetype2",
"/work/main/",
"/tmp/pytest-of-root/pytest-235/test_selector_spellings0/",
"/work/main/tests/macros",
"/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/ROOT/include",
"/work/main/",
nullptr
    };
    static const char* fwdDeclCode = R"DICTFWDDCLS(
#line 1 "CountSel_C_ACLiC_dict dictionary forward declarations' payload"

#pragma diagnostic push
#pragma clang diagnostic ignored "-Wkeyword-compat"
#pragma clang diagnostic ignored "-Wignored-attributes"
#pragma clang diagnostic ignored "-Wreturn-type-c-linkage"
extern int __Cling_AutoLoading_Map;
class  __attribute__((annotate("$clingAutoload$tests/selectors/CountSel.C")))  CounterObj;
class  __attribute__((annotate("$clingAutoload$tests/selectors/CountSel.C")))  Unmergeable;
class  __attribute__((annotate("$clingAutoload$tests/selectors/CountSel.C")))  CountSel;
#pragma diagnostic pop
)DICTFWDDCLS";
    static const char* payloadCode = R"DICTPAYLOAD(
#line 1 "CountSel_C_ACLiC_dict dictionary payload"

#ifndef __ACLIC__
  #define __ACLIC__ 1
#endif

#define _BACKWARD_BACKWARD_WARNING_H
// Inline headers
#include "tests/selectors/CountSel.C"

#undef  _BACKWARD_BACKWARD_WARNING_H
)DICTPAYLOAD";
    static const char* classesHeaders[] = {
"", payloadCode, "@",
"Bump", payloadCode, "@",
"CountSel", payloadCode, "@",
"CountSel::fgIsA", payloadCode, "@",
"CounterObj", payloadCode, "@",
"CounterObj::fgIsA", payloadCode, "@",
"Unmergeable", payloadCode, "@",
"Unmergeable::fgIsA", payloadCode, "@",
nullptr
};
    static bool isInitialized = false;
    if (!isInitialized) {
      TROOT::RegisterModule("CountSel_C_ACLiC_dict",
        headers, includePaths, payloadCode, fwdDeclCode,
        TriggerDictionaryInitialization_CountSel_C_ACLiC_dict_Impl, {}, classesHeaders, /*hasCxxModule*/false);
      isInitialized = true;
    }
  }
  static struct DictInit {
    DictInit() {
      TriggerDictionaryInitialization_CountSel_C_ACLiC_dict_Impl();
    }
  } __TheDictionaryInitializer;
}
void TriggerDictionaryInitialization_CountSel_C_ACLiC_dict() {
  TriggerDictionaryInitialization_CountSel_C_ACLiC_dict_Impl();
}
