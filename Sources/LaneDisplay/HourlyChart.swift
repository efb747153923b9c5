import Store

/// Today's passages per hour as an SVG bar chart, drawn here (no chart library, nothing fetched): one stacked bar
/// per hour, elevated (red, at the bottom so it is never hidden), normal (green) and no reading (grey), with the
/// hour under every third bar, the scale's top value, and a legend that also gives the day's totals in words
/// (colour is never the only signal).
public enum HourlyChart {
    static let width = 720, height = 260, left = 44, bottom = 34, top = 36

    public static func svg(_ counts: [HourlyCount], date: String) -> String {
        var perHour = [[String: Int]](repeating: [:], count: 24)
        for c in counts where c.date == date && (0..<24).contains(c.hour) { perHour[c.hour][c.verdict, default: 0] += c.count }
        let totals = perHour.map { $0.values.reduce(0, +) }
        let top = niceCeiling(totals.max() ?? 0)
        let plotHeight = Double(height - bottom - Self.top)
        let barWidth = Double(width - left - 10) / 24
        let sum = { (verdict: String) in perHour.reduce(0) { $0 + ($1[verdict] ?? 0) } }
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" role="img" \
            aria-label="Passages per hour on \(date)" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">
            <rect width="\(width)" height="\(height)" fill="#fff"/>
            <text x="\(left)" y="16" font-size="13" font-weight="bold">\(date): \(totals.reduce(0, +)) lượt / passages — \
            cao / elevated \(sum("elevated")), bình thường / normal \(sum("normal")), chưa đo / no reading \(sum("none"))</text>
            <rect x="\(left)" y="22" width="10" height="10" fill="#c40000"/><text x="\(left + 14)" y="31">cao / elevated</text>
            <rect x="\(left + 130)" y="22" width="10" height="10" fill="#0b7a28"/><text x="\(left + 144)" y="31">bình thường / normal</text>
            <rect x="\(left + 300)" y="22" width="10" height="10" fill="#9a9a9a"/><text x="\(left + 314)" y="31">chưa đo / no reading</text>
            <line x1="\(left)" y1="\(height - bottom)" x2="\(width - 10)" y2="\(height - bottom)" stroke="#000"/>
            <text x="\(left - 6)" y="\(Self.top + 4)" text-anchor="end">\(top)</text>
            <text x="\(left - 6)" y="\(height - bottom)" text-anchor="end">0</text>

            """
        for hour in 0..<24 {
            let x = Double(left) + Double(hour) * barWidth + 2
            var y = Double(height - bottom)
            for (verdict, colour) in [("elevated", "#c40000"), ("normal", "#0b7a28"), ("none", "#9a9a9a")] {
                let n = perHour[hour][verdict] ?? 0
                guard n > 0, top > 0 else { continue }
                let h = plotHeight * Double(n) / Double(top)
                y -= h
                out += "<rect class=\"bar \(verdict)\" data-hour=\"\(hour)\" data-count=\"\(n)\" x=\"\(format(x))\" y=\"\(format(y))\" width=\"\(format(barWidth - 4))\" height=\"\(format(h))\" fill=\"\(colour)\"><title>\(hour):00 \(verdict) \(n)</title></rect>\n"
            }
            if hour % 3 == 0 {
                out += "<text x=\"\(format(x + (barWidth - 4) / 2))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(hour)h</text>\n"
            }
        }
        return out + "</svg>\n"
    }

    /// The scale's top: the largest hourly total rounded up to 1, 2 or 5 × a power of ten (at least 5).
    static func niceCeiling(_ value: Int) -> Int {
        var magnitude = 1
        while true {
            for step in [1, 2, 5] where step * magnitude >= max(value, 5) { return step * magnitude }
            magnitude *= 10
        }
    }

    static func format(_ v: Double) -> String { String(Double((v * 10).rounded()) / 10) }
}
