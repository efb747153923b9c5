import Devices
import Foundation
import Testing
import Thermal

@Suite struct PNGFileTests {
    @Test func aPNGIsWrittenWithItsSize() throws {
        var image = RGBImage(width: 33, height: 21, fill: (10, 20, 30))
        image[3, 4] = (255, 0, 0)
        let path = NSTemporaryDirectory() + "snap-\(UUID().uuidString).png"
        try PNGFile.write(image, to: path)
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // IHDR: width and height big-endian at bytes 16–23.
        #expect(Array(bytes[16..<24]) == [0, 0, 0, 33, 0, 0, 0, 21])
        #expect(throws: PNGFile.Failure.self) { try PNGFile.write(image, to: "/nonexistent-dir/x.png") }
    }
}
