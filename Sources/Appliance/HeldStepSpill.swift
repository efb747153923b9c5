import Foundation
import Glibc
import Lane

/// The steps a lane holds while its database refuses commits, also written to a small append-only file, so a crash
/// or a restart during the outage does not lose them: the next start reads them back and commits them first.
///
/// Where: `$RUNTIME_DIRECTORY` (tmpfs under /run, set by the unit) when there is one, so a full or read-only disk
/// does not stop the spill too; it survives a crash and a service restart, not a reboot. Else the state directory.
/// One JSON line per step (`{"seq":…,"at":…,"step":…}`), fsynced; a second file records the last sequence number
/// committed while flushing, so a crash part way through a flush replays at most one step twice.
final class HeldStepSpill: Sendable {
    let path: String
    var donePath: String { path + ".done" }

    init(directory: String, laneID: String) {
        path = directory + "/held-steps-\(laneID).jsonl"
    }

    struct Entry: Codable {
        var seq: Int
        var at: Date
        var step: LaneCore.Step
    }

    /// Appends one held step. Throws when it cannot be made durable.
    func append(_ step: LaneCore.Step, at: Date, seq: Int) throws {
        var line = try Self.encoder.encode(Entry(seq: seq, at: at, step: step))
        line.append(UInt8(ascii: "\n"))
        try Self.write(line, to: path, append: true)
    }

    /// Notes that every step up to `seq` is in the database now.
    func committed(through seq: Int) throws {
        try Self.write(Data("\(seq)\n".utf8), to: donePath, append: false)
    }

    /// The steps spilled and not yet committed, oldest first. A line cut short by the crash is skipped.
    func load() -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let done = FileManager.default.contents(atPath: donePath).flatMap { Int(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? Self.decoder.decode(Entry.self, from: Data($0)) }.filter { $0.seq > done }
    }

    /// Every held step is committed: nothing to replay.
    func clear() {
        unlink(path)
        unlink(donePath)
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .millisecondsSince1970
        return e
    }()
    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .millisecondsSince1970
        return d
    }()

    static func write(_ data: Data, to path: String, append: Bool) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0o600)
        guard fd >= 0 else { throw SpillError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { throw SpillError("cannot write \(path): \(String(cString: strerror(errno)))") }
        guard fsync(fd) == 0 else { throw SpillError("cannot sync \(path): \(String(cString: strerror(errno)))") }
    }

    struct SpillError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
