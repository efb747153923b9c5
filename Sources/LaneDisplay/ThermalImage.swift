import Foundation
import Thermal

/// A thermal frame as a BMP picture, one pixel per sensor pixel, in the technicians' "iron" palette, stretched
/// between the frame's coldest and hottest pixel. BMP because it needs no compression library and browsers show
/// it natively; the page scales it up with `image-rendering: pixelated`.
enum ThermalImage {
    static func bmp(_ frame: ThermalFrame) -> Data {
        let width = frame.width, height = frame.height
        let low = Double(frame.pixels.min() ?? 0), high = max(Double(frame.pixels.max() ?? 1), low + 1)
        let rowBytes = (width * 3 + 3) & ~3
        let pixelBytes = rowBytes * height
        var out = Data(capacity: 54 + pixelBytes)
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian) { out.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(truncatingIfNeeded: v).littleEndian) { out.append(contentsOf: $0) } }
        out.append(contentsOf: "BM".utf8)
        u32(54 + pixelBytes); u32(0); u32(54)
        u32(40); u32(width); u32(-height)  // negative height: rows top to bottom
        u16(1); u16(24); u32(0); u32(pixelBytes); u32(2835); u32(2835); u32(0); u32(0)
        var row = [UInt8](repeating: 0, count: rowBytes)
        for y in 0..<height {
            for x in 0..<width {
                let (r, g, b) = FalseColour.iron((Double(frame[x, y]) - low) / (high - low))
                row[3 * x] = b
                row[3 * x + 1] = g
                row[3 * x + 2] = r
            }
            out.append(contentsOf: row)
        }
        return out
    }
}
