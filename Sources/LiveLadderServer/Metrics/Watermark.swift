/// Turns a cumulative value read from successive snapshots into counter increments: only what lies above
/// the highest value already counted is added, so a repeated, late or lower sample never counts twice
/// and never subtracts.
struct Watermark {
    private(set) var counted: Double = 0

    /// The amount to add to the counter for a sample of `value` (0 when it is not above the mark).
    mutating func advance(to value: Double) -> Double {
        guard value.isFinite, value > counted else { return 0 }
        defer { counted = value }
        return value - counted
    }
}
