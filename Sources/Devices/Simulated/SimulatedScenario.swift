import Foundation
import Thermal

/// A scripted lane for the demo and the end-to-end tests: travellers with known temperatures walking up one at a
/// time, each scanning their own declaration as they arrive. The scenario is the ground truth the tests check
/// the stored passages against.
public struct SimulatedScenario: Sendable {
    public var settings: SceneSettings
    public var travellers: [SceneTraveller]
    /// `payloads[i]` is what traveller `i` scans.
    public var payloads: [String]
    /// Seconds after arriving that a traveller scans.
    public var scanDelay: Double

    public init(settings: SceneSettings, travellers: [SceneTraveller], payloads: [String], scanDelay: Double = 0.4) {
        precondition(payloads.count == travellers.count, "one payload per traveller")
        self.settings = settings
        self.travellers = travellers
        self.payloads = payloads
        self.scanDelay = scanDelay
    }

    /// A queue of `count` travellers with generated declarations (mostly citizen ID cards with Vietnamese names).
    /// `glassesShare` of them wear glasses (drawn from a second random stream, so the rest of the queue is the
    /// same with or without glasses).
    public static func queue(
        count: Int, feverShare: Double, seed: UInt64, settings: SceneSettings = SceneSettings(), glassesShare: Double = 0
    ) -> SimulatedScenario {
        var travellers = SceneScript.queue(count: count, feverShare: feverShare, seed: seed)
        var rng = SeededRandom(seed: seed ^ 0x6C61_7373_6573)
        for i in travellers.indices where rng.uniform(0, 1) < glassesShare { travellers[i].glasses = true }
        let payloads = (0..<count).map { DemoDeclarations.payload(index: $0, seed: seed) }
        return SimulatedScenario(settings: settings, travellers: travellers, payloads: payloads)
    }

    /// When the last traveller is out of view.
    public var end: Double { (travellers.map(\.departure).max() ?? 0) + 1 }
}

/// Plausible declarations for simulated travellers. Identity numbers are made up but well-formed (province code,
/// century/gender digit and birth year consistent), so the parsers accept them without warnings.
public enum DemoDeclarations {
    static let names: [(String, Bool)] = [
        ("Nguyễn Văn An", true), ("Trần Thị Bích Ngọc", false), ("Lê Hoàng Phúc", true), ("Phạm Thị Thu Hà", false),
        ("Hoàng Minh Đức", true), ("Huỳnh Thị Mỹ Linh", false), ("Võ Quốc Bảo", true), ("Đặng Thị Hồng Nhung", false),
        ("Bùi Xuân Trường", true), ("Đỗ Thị Lan Anh", false), ("Ngô Thanh Tùng", true), ("Dương Thị Ngọc Ánh", false),
    ]
    static let places: [(code: String, address: String)] = [
        ("079", "12 Lê Lợi, Phường Bến Nghé, Quận 1, TP Hồ Chí Minh"), ("001", "Số 5 Hàng Bài, Hoàn Kiếm, Hà Nội"),
        ("048", "45 Bạch Đằng, Hải Châu, Đà Nẵng"), ("089", "Ấp Mỹ Thới, Long Xuyên, An Giang"),
        ("092", "Đường 30/4, Ninh Kiều, Cần Thơ"), ("031", "Lạch Tray, Ngô Quyền, Hải Phòng"),
    ]

    public static func payload(index: Int, seed: UInt64) -> String {
        var rng = SeededRandom(seed: seed &* 1_000_003 &+ UInt64(index))
        let (name, male) = names[index % names.count]
        let place = places[(index / names.count + index) % places.count]
        let year = 1950 + Int(rng.uniform(0, 55))
        let month = 1 + Int(rng.uniform(0, 12)), day = 1 + Int(rng.uniform(0, 28))
        let serial = String(format6(index * 7919 + Int(rng.uniform(0, 1000))))
        let centuryDigit = (year >= 2000 ? 2 : 0) + (male ? 0 : 1)
        let yy = year % 100
        let id = place.code + "\(centuryDigit)" + (yy < 10 ? "0" : "") + "\(yy)" + serial
        let dob = two(day) + two(month) + "\(year)"
        switch index % 6 {
        case 4:
            // Personal COVID QR: upper case without diacritics, ISO birth date.
            return "\(id)|\(asciiUpper(name))|\(year)-\(two(month))-\(two(day))|0|16297938858\(serial)|<\(male ? 1 : 0)<<<"
        default:
            let oldID = index % 2 == 0 ? "0\(String(format6(index)))21" : ""
            return "\(id)|\(oldID)|\(name)|\(dob)|\(male ? "Nam" : "Nữ")|\(place.address)|\(two(1 + index % 28))0\(1 + index % 9)2021"
        }
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    static func format6(_ n: Int) -> String {
        let s = String(abs(n) % 1_000_000)
        return String(repeating: "0", count: 6 - s.count) + s
    }

    /// Vietnamese letters without their marks, upper case, as the personal QR writes names.
    static func asciiUpper(_ s: String) -> String {
        s.replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "D")
            .folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).uppercased()
    }
}
