double RemoteGain() { return 1.25; }
