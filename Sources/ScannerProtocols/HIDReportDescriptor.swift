/// The input fields a HID report descriptor declares (HID 1.11 §6.2.2): which usage sits at which bit of which
/// report. Enough to find a scanner's decoded-data report; output and feature reports are skipped.
public struct HIDReportDescriptor: Sendable, Equatable {
    /// One element of an input report (a Report Count of n gives n fields).
    public struct Field: Sendable, Equatable {
        public var reportID: UInt8
        public var usagePage: UInt16
        /// 0 when the element has no usage (padding).
        public var usage: UInt16
        /// Bit offset inside the report, after the report-ID byte.
        public var bitOffset: Int
        public var bitSize: Int
        public var isConstant: Bool
    }

    public var inputFields: [Field]
    /// Usages of the top-level application collections, as (page, usage).
    public var applications: [HIDUsage]

    public struct HIDUsage: Sendable, Equatable, Hashable {
        public var page: UInt16
        public var usage: UInt16
        public init(page: UInt16, usage: UInt16) {
            self.page = page
            self.usage = usage
        }
        public static let keyboard = HIDUsage(page: 0x01, usage: 0x06)
        public static let barCodeScanner = HIDUsage(page: 0x8C, usage: 0x02)
    }

    /// Whether reports carry a leading report-ID byte.
    public var usesReportIDs: Bool { inputFields.contains { $0.reportID != 0 } }

    /// Size in bytes of an input report with this ID, including the report-ID byte when IDs are used.
    public func inputReportLength(id: UInt8) -> Int {
        let bits = inputFields.filter { $0.reportID == id }.map { $0.bitOffset + $0.bitSize }.max() ?? 0
        return (bits + 7) / 8 + (id == 0 ? 0 : 1)
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "report descriptor byte \(offset): \(message)" }
    }

    /// Parses descriptor bytes. Throws on truncated items or impossible sizes (a hostile or broken device).
    public init(_ bytes: [UInt8]) throws(ParseError) {
        var fields: [Field] = []
        var applications: [HIDUsage] = []
        var globals = Globals()
        var stack: [Globals] = []
        var usages: [UInt32] = []
        var usageMin: UInt32?, usageMax: UInt32?
        var bitOffsets: [UInt8: Int] = [:]
        var depth = 0
        var i = 0
        while i < bytes.count {
            let prefix = bytes[i]
            if prefix == 0xFE {  // long item: skip its data
                guard i + 2 < bytes.count else { throw ParseError(offset: i, message: "truncated long item") }
                i += 3 + Int(bytes[i + 1])
                continue
            }
            let size = [0, 1, 2, 4][Int(prefix & 3)]
            guard i + size < bytes.count else { throw ParseError(offset: i, message: "item needs \(size) data bytes") }
            var value: UInt32 = 0
            for b in 0..<size { value |= UInt32(bytes[i + 1 + b]) << (8 * b) }
            let tag = prefix >> 4
            switch (prefix >> 2) & 3 {
            case 0:  // main
                switch tag {
                case 0x8:  // Input
                    guard globals.reportSize > 0, globals.reportSize <= 32, globals.reportCount <= 4096 else {
                        throw ParseError(offset: i, message: "input of \(globals.reportCount) × \(globals.reportSize) bits")
                    }
                    var list = usages
                    if list.isEmpty, let lo = usageMin, let hi = usageMax, hi >= lo, hi - lo < 4096 {
                        list = Array(lo...hi)
                    }
                    let isConstant = value & 1 != 0
                    var offset = bitOffsets[globals.reportID, default: 0]
                    for n in 0..<globals.reportCount {
                        let usage = list.isEmpty ? 0 : list[min(n, list.count - 1)]
                        let page = usage > 0xFFFF ? UInt16(usage >> 16) : globals.usagePage
                        fields.append(
                            Field(
                                reportID: globals.reportID, usagePage: page, usage: UInt16(truncatingIfNeeded: usage),
                                bitOffset: offset, bitSize: globals.reportSize, isConstant: isConstant))
                        offset += globals.reportSize
                    }
                    bitOffsets[globals.reportID] = offset
                case 0xA:  // Collection
                    if depth == 0, value == 1, let usage = usages.first {
                        let page = usage > 0xFFFF ? UInt16(usage >> 16) : globals.usagePage
                        applications.append(HIDUsage(page: page, usage: UInt16(truncatingIfNeeded: usage)))
                    }
                    depth += 1
                case 0xC:
                    guard depth > 0 else { throw ParseError(offset: i, message: "End Collection without a Collection") }
                    depth -= 1
                case 0x9, 0xB: break  // Output, Feature
                default: throw ParseError(offset: i, message: "unknown main item tag \(tag)")
                }
                usages.removeAll()
                usageMin = nil
                usageMax = nil
            case 1:  // global
                switch tag {
                case 0x0: globals.usagePage = UInt16(truncatingIfNeeded: value)
                case 0x7: globals.reportSize = Int(value)
                case 0x8:
                    guard value > 0, value <= 255 else { throw ParseError(offset: i, message: "report ID \(value)") }
                    globals.reportID = UInt8(value)
                case 0x9: globals.reportCount = Int(value)
                case 0xA: stack.append(globals)
                case 0xB:
                    guard let top = stack.popLast() else { throw ParseError(offset: i, message: "Pop without Push") }
                    globals = top
                default: break  // logical/physical ranges and units do not move fields
                }
            case 2:  // local
                switch tag {
                case 0x0: if usages.count < 4096 { usages.append(value) }
                case 0x1: usageMin = value
                case 0x2: usageMax = value
                default: break
                }
            default:
                throw ParseError(offset: i, message: "reserved item type")
            }
            i += 1 + size
        }
        inputFields = fields
        self.applications = applications
    }

    private struct Globals {
        var usagePage: UInt16 = 0
        var reportSize = 0
        var reportCount = 0
        var reportID: UInt8 = 0
    }
}
