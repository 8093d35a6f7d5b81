// Loaded with ACLiC ("MyEvent.C+") to give MyEvent its dictionary.
#include "MyEvent.h"
