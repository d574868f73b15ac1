// SimHardware module
