import Hardware

/// The limits and the address map of an ``InProcessBus``: the node bus's ``BusLimits``, the
/// simulated `NodeBus`'s own, so agents see the same limits and the same kind of addresses on
/// both backends.
public typealias InProcessBusConfiguration = BusLimits
