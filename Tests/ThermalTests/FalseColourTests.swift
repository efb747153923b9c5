import Testing
import Thermal

@Suite struct FalseColourTests {
    @Test func hotIsBrightColdIsDarkAndTheScaleIsLabelled() {
        var pixels = [UInt16](repeating: 29_815, count: 16 * 12)  // 25.0 °C
        pixels[5 * 16 + 7] = 31_015  // 37.0 °C
        let frame = ThermalFrame(width: 16, height: 12, pixels: pixels, timestamp: 0, sequence: 0)
        let (image, low, high) = FalseColour.render(frame, scale: 4)
        #expect(abs(low - 25.0) < 1e-9 && abs(high - 37.0) < 1e-9)
        #expect(image.height == 80 && image.width > 16 * 4 + 12)
        let hot = image[7 * 4 + 1, 5 * 4 + 1], cold = image[0, 0]
        #expect(hot == (255, 255, 255) && cold == (0, 0, 0))
        // Labels: some white pixels right of the bar.
        let labelX = 16 * 4 + 4 + 12 + 4
        #expect((0..<14).contains { y in (labelX..<(labelX + 40)).contains { image[$0, y] == (255, 255, 255) } })
    }
}
