#pragma once
int CIOFabric_placeholder(void);
