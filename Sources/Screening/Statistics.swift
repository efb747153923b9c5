/// Small robust statistics used by the engine. Inputs are never empty where called; empty input returns 0.
enum Stats {
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// Sample standard deviation (n − 1).
    static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let m = mean(values)
        let ss = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        return (ss / Double(values.count - 1)).squareRoot()
    }
}

/// A reading to 0.1 °C, rounding halves up: a value exactly between two tenths is shown (and judged) as the
/// higher one, so rounding never moves a reading toward "normal".
@inlinable public func roundedToTenth(_ celsius: Double) -> Double {
    (celsius * 10 + 1e-9).rounded(.toNearestOrAwayFromZero) / 10
}
