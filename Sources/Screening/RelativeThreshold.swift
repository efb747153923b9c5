/// Relative screening, as FLIR's screening mode: the threshold follows the recent normal readings of this lane
/// (their mean without the highest and lowest, plus a configured deviation), so a warm afternoon or a cold morning
/// moves it with the crowd. It can only make the lane more sensitive: a reading at or above the absolute threshold
/// is elevated whatever the crowd reads (never nudged toward "normal").
public struct RelativeThreshold: Sendable, Equatable {
    public var readings: Int
    public var deviationC: Double
    private(set) var recent: [Double] = []

    public init(readings: Int = 10, deviationC: Double = 1.0) {
        self.readings = max(3, readings)
        self.deviationC = deviationC
    }

    /// The relative threshold, once enough normal readings have been seen.
    public var thresholdC: Double? {
        guard recent.count >= readings else { return nil }
        let trimmed = recent.sorted().dropFirst().dropLast()
        return trimmed.reduce(0, +) / Double(trimmed.count) + deviationC
    }

    /// The threshold a reading is judged against: the lower of the absolute and the relative one.
    public func effectiveThreshold(absolute: Double) -> Double { min(absolute, thresholdC ?? absolute) }

    /// Learns from a reading judged normal (elevated ones are not part of "the crowd").
    public mutating func learn(normal temperatureC: Double) {
        recent.append(temperatureC)
        if recent.count > readings { recent.removeFirst(recent.count - readings) }
    }
}
