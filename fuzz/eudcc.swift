// libFuzzer harness: the bytes inside an EU-DCC QR code (after "HC1:" and Base45), so the fuzzer reaches zlib,
// COSE and CBOR directly instead of spending its inputs on Base45's alphabet. Built by `make fuzz`.
import Declarations

let parser = DeclarationParser(now: { 1_700_000_000 })

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? parser.parse("HC1:" + Base45.encode(bytes))
    return 0
}
