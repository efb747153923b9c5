import CPNG
import Thermal

/// Writes RGB pictures as PNG through libpng.
public enum PNGFile {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func write(_ image: RGBImage, to path: String) throws(Failure) {
        var message = [CChar](repeating: 0, count: 256)
        let result = image.rgb.withUnsafeBytes { rgb in
            cpng_write_rgb(path, rgb.baseAddress, UInt32(image.width), UInt32(image.height), &message, message.count)
        }
        guard result == 0 else {
            throw Failure(description: "\(path): " + String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }
}
