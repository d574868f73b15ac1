// RealHardware module
