import Foundation

/// The health department's daily table: passages per checkpoint, lane and district, by verdict. Built from the
/// database's counts by a pure function, so the pivot and the CSV are tested without a server.
public struct DailyReport: Codable, Sendable, Equatable {
    public var date: String
    public var timeZone: String
    public var rows: [Row]
    public var total: Row

    /// One database count: one checkpoint, lane, district and verdict (`normal`, `elevated`, `none`).
    public struct Count: Sendable, Equatable {
        public var checkpoint: String
        public var lane: String
        public var district: String
        public var verdict: String
        public var passages: Int
        public init(checkpoint: String, lane: String, district: String, verdict: String, passages: Int) {
            self.checkpoint = checkpoint
            self.lane = lane
            self.district = district
            self.verdict = verdict
            self.passages = passages
        }
    }

    public struct Row: Codable, Sendable, Equatable {
        public var checkpoint: String
        public var lane: String
        public var district: String
        public var normal = 0
        public var elevated = 0
        /// Passages without a reading (a declaration scanned, the traveller never measured).
        public var noReading = 0
        public var total: Int { normal + elevated + noReading }

        enum CodingKeys: String, CodingKey {
            case checkpoint, lane, district, normal, elevated, total
            case noReading = "no_reading"
        }

        public init(checkpoint: String, lane: String, district: String) {
            self.checkpoint = checkpoint
            self.lane = lane
            self.district = district
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            checkpoint = try c.decode(String.self, forKey: .checkpoint)
            lane = try c.decode(String.self, forKey: .lane)
            district = try c.decode(String.self, forKey: .district)
            normal = try c.decode(Int.self, forKey: .normal)
            elevated = try c.decode(Int.self, forKey: .elevated)
            noReading = try c.decode(Int.self, forKey: .noReading)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(checkpoint, forKey: .checkpoint)
            try c.encode(lane, forKey: .lane)
            try c.encode(district, forKey: .district)
            try c.encode(normal, forKey: .normal)
            try c.encode(elevated, forKey: .elevated)
            try c.encode(noReading, forKey: .noReading)
            try c.encode(total, forKey: .total)
        }

        mutating func add(_ verdict: String, _ n: Int) {
            switch verdict {
            case "normal": normal += n
            case "elevated": elevated += n
            default: noReading += n
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case date, rows, total
        case timeZone = "time_zone"
    }

    public init(date: String, timeZone: String, counts: [Count]) {
        self.date = date
        self.timeZone = timeZone
        var byLane: [String: Row] = [:]
        var total = Row(checkpoint: "", lane: "", district: "")
        for count in counts {
            byLane[count.lane, default: Row(checkpoint: count.checkpoint, lane: count.lane, district: count.district)].add(count.verdict, count.passages)
            total.add(count.verdict, count.passages)
        }
        rows = byLane.values.sorted { ($0.district, $0.checkpoint, $0.lane) < ($1.district, $1.checkpoint, $1.lane) }
        self.total = total
    }

    /// CSV with a header line, one line per lane and a last `TOTAL` line (RFC 4180 quoting).
    public var csv: String {
        var lines = ["date,district,checkpoint,lane,normal,elevated,no_reading,total"]
        for row in rows + [total] {
            let names = row.lane.isEmpty ? ["TOTAL", "", ""] : [row.district, row.checkpoint, row.lane]
            lines.append(([date] + names).map(Self.quoted).joined(separator: ",") + ",\(row.normal),\(row.elevated),\(row.noReading),\(row.total)")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The instants local midnight to next local midnight of `date` (YYYY-MM-DD) in `timeZone`; nil if not a date.
    public static func window(_ date: String, timeZone: TimeZone) -> (start: Date, end: Date)? {
        let parts = date.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, date.count == 10 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard components.isValidDate(in: calendar), let start = calendar.date(from: components),
            let end = calendar.date(byAdding: .day, value: 1, to: start)
        else { return nil }
        return (start, end)
    }

    /// Today's date (YYYY-MM-DD) in `timeZone`.
    public static func today(_ now: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}

/// The provincial operations centre's feed: passages and elevated readings per checkpoint per local hour.
public struct IOCSummary: Codable, Sendable, Equatable {
    public var date: String
    public var timeZone: String
    public var generatedAt: String
    public var checkpoints: [Checkpoint]

    public struct Count: Sendable, Equatable {
        public var checkpoint: String
        public var hour: Int
        public var passages: Int
        public var elevated: Int
        public init(checkpoint: String, hour: Int, passages: Int, elevated: Int) {
            self.checkpoint = checkpoint
            self.hour = hour
            self.passages = passages
            self.elevated = elevated
        }
    }

    public struct Checkpoint: Codable, Sendable, Equatable {
        public var checkpoint: String
        /// 24 entries, hour 0 to 23 local time.
        public var passages: [Int]
        public var elevated: [Int]
        public var totalPassages: Int
        public var totalElevated: Int

        enum CodingKeys: String, CodingKey {
            case checkpoint, passages, elevated
            case totalPassages = "total_passages", totalElevated = "total_elevated"
        }
    }

    enum CodingKeys: String, CodingKey {
        case date, checkpoints
        case timeZone = "time_zone", generatedAt = "generated_at"
    }

    public init(date: String, timeZone: String, generatedAt: String, counts: [Count]) {
        self.date = date
        self.timeZone = timeZone
        self.generatedAt = generatedAt
        var byCheckpoint: [String: Checkpoint] = [:]
        for count in counts where (0..<24).contains(count.hour) {
            var entry = byCheckpoint[count.checkpoint]
                ?? Checkpoint(checkpoint: count.checkpoint, passages: Array(repeating: 0, count: 24), elevated: Array(repeating: 0, count: 24), totalPassages: 0, totalElevated: 0)
            entry.passages[count.hour] += count.passages
            entry.elevated[count.hour] += count.elevated
            entry.totalPassages += count.passages
            entry.totalElevated += count.elevated
            byCheckpoint[count.checkpoint] = entry
        }
        checkpoints = byCheckpoint.values.sorted { $0.checkpoint < $1.checkpoint }
    }
}
