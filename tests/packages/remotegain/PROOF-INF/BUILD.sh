#!/bin/sh
# Builds libRemoteGain.so on each host, as old PROOF packages did.
g++ -shared -fPIC -o libRemoteGain.so remotegain.cxx || exit 1
