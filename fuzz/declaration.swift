// libFuzzer harness: any bytes as a scanned QR payload through the lane's parser (every format: CCCD, personal
// QR, BHYT, EU-DCC, URLs). The parser must answer or throw DeclarationError, never crash. Built by `make fuzz`.
import Declarations

let parser = DeclarationParser(now: { 1_700_000_000 })

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? parser.parse(text)
    return 0
}
