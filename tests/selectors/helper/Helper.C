#include "Helper.h"
double HelperScale(double x) { return 2 * x; }
