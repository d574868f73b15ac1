/// The storage agents: UMA, CTA, RTA, DDM, TTS (storage target, seed design 1) and the
/// cluster connection manager, cluster connection clients and failover monitor (HA
/// cluster, seed design 2).
///
/// This module imports `Hardware` and nothing else (`LayeringTests` fails otherwise): the
/// same agent code runs on the simulator and on real devices. The agents themselves arrive
/// with the storage-target and HA-cluster issues; until then this target holds no code.
import Hardware
