#ifndef RemoteUnits_h
#define RemoteUnits_h
// Found only through the client's include path (gSystem->AddIncludePath("-I.../remote_incpath")),
// not next to the selector.
#define REMOTE_UNIT 1000.0
#endif
