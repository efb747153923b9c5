/// Where a HID point-of-sale scanner (usage page 0x8C) puts each part of its scanned-data report, found from the
/// report descriptor: Decoded Data (0xFE) bytes, the Symbology Identifier (0xFB–0xFD, the AIM id such as `]Q1`),
/// Decode Data Continued (0xFF, "more reports follow") and the length byte that says how many data bytes are valid.
public struct HIDPOSLayout: Sendable, Equatable {
    public var reportID: UInt8
    /// Bytes in the report including the report-ID byte.
    public var reportLength: Int
    /// Byte index (in the report as received) of the valid-data count; nil: the data is NUL-padded instead.
    public var lengthIndex: Int?
    public var symbologyIndex: Int?
    public var symbologyCount: Int
    public var dataIndex: Int
    public var dataCount: Int
    /// Byte index and bit mask of the continuation flag; nil: every report is a whole scan.
    public var moreIndex: Int?
    public var moreMask: UInt8

    public static let page: UInt16 = 0x8C
    static let decodedData: UInt16 = 0xFE, dataContinued: UInt16 = 0xFF, symbologyIDs: ClosedRange<UInt16> = 0xFB...0xFD

    public struct NotAScanner: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(_ descriptor: HIDReportDescriptor) throws(NotAScanner) {
        let fields = descriptor.inputFields
        let data = fields.filter { $0.usagePage == Self.page && $0.usage == Self.decodedData }
        guard let first = data.first else {
            throw NotAScanner(description: "no Decoded Data (usage page 0x8C, usage 0xFE) input field")
        }
        let id = first.reportID
        guard data.allSatisfy({ $0.reportID == id && $0.bitSize == 8 && $0.bitOffset % 8 == 0 }) else {
            throw NotAScanner(description: "Decoded Data is not a run of bytes in one report")
        }
        let prefix = id == 0 ? 0 : 1
        func index(_ field: HIDReportDescriptor.Field) -> Int { prefix + field.bitOffset / 8 }
        reportID = id
        reportLength = descriptor.inputReportLength(id: id)
        dataIndex = index(first)
        dataCount = data.count
        let symbology = fields.filter {
            $0.reportID == id && $0.usagePage == Self.page && Self.symbologyIDs.contains($0.usage) && $0.bitSize == 8
        }
        symbologyIndex = symbology.first.map(index)
        symbologyCount = symbology.count
        if let more = fields.first(where: { $0.reportID == id && $0.usagePage == Self.page && $0.usage == Self.dataContinued }) {
            moreIndex = index(more)
            moreMask = UInt8(1) << UInt8(more.bitOffset % 8)
        } else {
            moreIndex = nil
            moreMask = 0
        }
        // The length byte has no usage of its own in the POS tables; scanners put it first, before the AIM id and data.
        let known = Set(data.map(index) + symbology.map(index) + [moreIndex].compactMap { $0 })
        lengthIndex = fields.first {
            $0.reportID == id && $0.bitSize == 8 && $0.bitOffset % 8 == 0 && !$0.isConstant && !known.contains(index($0))
                && index($0) < dataIndex
        }.map(index)
    }
}

/// Reassembles HID POS scans from scanned-data reports: each report adds its valid data bytes; a report without
/// the continuation flag ends the scan. The bytes are UTF-8 text (Vietnamese names arrive intact, even when a
/// character is split between two reports).
public struct HIDPOSDecoder: Sendable {
    public let layout: HIDPOSLayout
    public let maxBytes: Int
    private var bytes: [UInt8] = []
    private var symbology: String?
    private var overflowed = false
    private var lastInput = 0.0

    public init(layout: HIDPOSLayout, maxBytes: Int = ScanLimits.maxBytes) {
        self.layout = layout
        self.maxBytes = maxBytes
        bytes.reserveCapacity(256)
    }

    public var deadline: Double? { bytes.isEmpty && !overflowed ? nil : lastInput + ScanLimits.staleSeconds }

    public mutating func decode(_ report: [UInt8], at time: Double) -> ScanOutcome? {
        if report.isEmpty { return nil }
        if layout.reportID != 0 && report[0] != layout.reportID {
            return .rejected(.unmatchedReport("report ID \(report[0]) is not the scanned-data report \(layout.reportID)"))
        }
        let needed = max(layout.dataIndex + layout.dataCount, (layout.moreIndex ?? 0) + 1, (layout.lengthIndex ?? 0) + 1)
        guard report.count >= needed else {
            reset()
            return .rejected(.malformedReport("\(report.count)-byte scanned-data report, expected \(needed)"))
        }
        var count = layout.dataCount
        if let lengthIndex = layout.lengthIndex {
            count = Int(report[lengthIndex])
            guard count <= layout.dataCount else {
                reset()
                return .rejected(.malformedReport("length byte \(count) exceeds the \(layout.dataCount) data bytes"))
            }
        } else {
            while count > 0 && report[layout.dataIndex + count - 1] == 0 { count -= 1 }
        }
        if bytes.isEmpty, let index = layout.symbologyIndex {
            symbology = Self.aimIdentifier(report[index..<index + layout.symbologyCount])
        }
        lastInput = time
        if bytes.count + count > maxBytes {
            overflowed = true
        } else {
            bytes.append(contentsOf: report[layout.dataIndex..<layout.dataIndex + count])
        }
        if let moreIndex = layout.moreIndex, report[moreIndex] & layout.moreMask != 0 { return nil }
        defer { reset() }
        if overflowed { return .rejected(.tooLong(limit: maxBytes)) }
        if bytes.isEmpty { return .rejected(.incomplete(reason: "scanned-data report with no data")) }
        return ScanAssembler.text(bytes[...], symbology: symbology)
    }

    public mutating func idle(at time: Double) -> ScanOutcome? {
        guard let deadline, time >= deadline else { return nil }
        let count = bytes.count
        reset()
        return .rejected(.incomplete(reason: "continuation report missing after \(count) bytes"))
    }

    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        symbology = nil
        overflowed = false
    }

    /// `]Q1`-style identifiers are kept; zero bytes or anything not printable ASCII means "not sent".
    static func aimIdentifier(_ raw: ArraySlice<UInt8>) -> String? {
        let trimmed = raw.prefix { $0 != 0 }
        guard trimmed.count >= 2, trimmed.first == UInt8(ascii: "]"), trimmed.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return nil
        }
        return String(decoding: trimmed, as: UTF8.self)
    }
}
