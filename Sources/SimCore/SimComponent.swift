/// A part of a simulated system that reacts to events: a PCI bus, an HCA, a switch, a disk,
/// the runtime of a node's agents.
///
/// The simulator calls ``handle(_:in:)`` on one thread, at the event's time, in the order
/// the queue defines. A handler schedules further events on `simulator`; it never blocks
/// and never runs another simulation.
///
/// - Warning: Components are not thread-safe and must not use `Task`, actors, Dispatch,
///   the wall clock or `Dictionary`/`Set` iteration order to decide anything: those differ
///   from process to process, and determinism is a feature.
public protocol SimComponent: AnyObject {
    /// Handles one event addressed to this component. `simulator.now` equals `event.time`.
    func handle(_ event: Event, in simulator: Simulator)
}
