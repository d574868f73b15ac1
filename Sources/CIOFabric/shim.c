int CIOFabric_placeholder(void) { return 0; }
