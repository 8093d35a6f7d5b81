int Helper2Value() { return 99; }
