/// The few number helpers both reports print with (this module does not pull in Foundation for one formatter).
enum Numbers {
    /// `v` with `digits` decimals; "n/a" when it is not a number.
    static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "n/a" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(v) * scale).rounded()
        let whole = Int(scaled / scale), fraction = String(Int(scaled) % Int(scale))
        let sign = v < 0 && scaled != 0 ? "-" : ""
        return sign + String(whole) + (digits > 0 ? "." + String(repeating: "0", count: digits - fraction.count) + fraction : "")
    }

    /// The value that a share `p` of `values` stay at or under (nan for none).
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
    }
}
