// libFuzzer harness: CBOR decoding of arbitrary bytes, and re-encoding of whatever decodes. Built by `make fuzz`.
import Declarations

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    if let item = try? CBORDecoder.decode(Array(UnsafeBufferPointer(start: data, count: size))) {
        _ = CBOREncoder.encode(item)
    }
    return 0
}
