/// The device interfaces iofabric's agents program against.
///
/// Agents (UMA, CTA, RTA, DDM, TTS, the cluster connection manager, the failover monitor)
/// import this module and nothing below it. Two backends implement it: `SimHardware`, the
/// models in virtual time, and `RealHardware`, a real-time loop over libibverbs and SG_IO.
/// The module holds protocols and value types only: no device behaviour lives here.
///
/// The time types (`Instant`, `TimeSpan`) and seeded `RandomStream`s come from `Timebase` and
/// are re-exported, so `import Hardware` is all an agent writes.
@_exported import Timebase
