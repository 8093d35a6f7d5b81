// proofshim: PROOF's packetizer classes are named by legacy drivers (PROOF_Packetizer) and
// sometimes included; proofshim packetizes adaptively itself (proofshim/packetizer.py), so this
// header only keeps such code compiling.
#ifndef ROOT_TPacketizerAdaptive
#define ROOT_TPacketizerAdaptive

class TPacketizerAdaptive;

#endif
