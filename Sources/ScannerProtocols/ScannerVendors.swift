/// USB vendors whose devices are treated as scanner candidates (udev permissions, `checkpointctl scanner list`),
/// besides any device the configuration names by VID:PID. Scanner makers use one vendor ID for their whole range,
/// and the same product can enumerate as keyboard, HID POS or CDC-ACM depending on how it was programmed.
public struct ScannerVendor: Sendable, Equatable {
    public var vendorID: UInt16
    public var name: String

    public static let supported: [ScannerVendor] = [
        ScannerVendor(vendorID: 0x0C2E, name: "Honeywell (Metrologic)"),
        ScannerVendor(vendorID: 0x05E0, name: "Zebra (Symbol)"),
        ScannerVendor(vendorID: 0x05F9, name: "Datalogic (PSC)"),
        ScannerVendor(vendorID: 0x1EAB, name: "Newland"),
    ]

    public static func named(_ vendorID: UInt16) -> ScannerVendor? { supported.first { $0.vendorID == vendorID } }
}
