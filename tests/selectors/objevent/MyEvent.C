// Compiled with ACLiC (TProof::Load("MyEvent.C+")): gives MyEvent and MyHotEvent their dictionaries.
#include "MyEvent.h"
