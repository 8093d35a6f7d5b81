// Shipped beside Helper.C by Load("Helper.C+,Extra.h").
#define PROOFSHIM_EXTRA_VALUE 17
