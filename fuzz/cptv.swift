// libFuzzer harness: any bytes as a CPTV recording, raw or gzip-compressed (inflated a piece at a time, capped),
// decoded frame by frame. The reader must stop with a CPTVError, never crash or grow without bound. `make fuzz`.
import Thermal
import Zlib

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if bytes.starts(with: [0x1F, 0x8B]), let reader = try? GzipReader(bytes: bytes, maxOutput: 1 << 20) {
        bytes = (try? reader.read(1 << 20)) ?? []
    }
    guard var decoder = try? CPTVDecoder(bytes: bytes, limits: CPTVLimits(maxSide: 256, maxFrames: 200)) else { return 0 }
    while let frame = try? decoder.next() { _ = frame.pixels.count }
    return 0
}
