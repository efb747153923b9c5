// libFuzzer harness: garbage from a USB scanner. The first byte says how many of the following bytes are a report
// descriptor; the rest are 8-byte reports fed to the keyboard-wedge decoder and, when the descriptor describes a
// HID POS scanner, to its decoder. Built by `make fuzz`.
import ScannerProtocols

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    let split = min(bytes.count, 1 + Int(first))
    var pos = (try? HIDReportDescriptor(Array(bytes[1..<split]))).flatMap { try? HIDPOSLayout($0) }.map { HIDPOSDecoder(layout: $0) }
    var wedge = KeyboardWedgeDecoder(layout: .de)
    var t = 0.0
    for start in stride(from: split, to: bytes.count, by: 8) {
        let report = Array(bytes[start..<min(start + 8, bytes.count)])
        t += 0.001
        _ = wedge.decode(report, at: t)
        _ = pos?.decode(report, at: t)
    }
    return 0
}
