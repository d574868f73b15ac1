/// Scenario files → a validated model → a topology built on a backend, with workloads,
/// a fault schedule, checkers and expectations.
///
/// Filled by the scenario issue; until then this target holds no code.
