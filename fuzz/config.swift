// libFuzzer harness: any bytes as the lane's configuration file through its TOML reader. It must answer with the
// line and the reason, never crash (a technician's typo, a truncated copy, a binary file). Built by `make fuzz`.
import ConfigFile

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    _ = ConfigSyntax.problem(in: String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    return 0
}
