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

/// The marks of `camera snapshot --marked` land where the engine's disc, site and guides are.
@Suite struct MarkedViewTests {
    @Test func marksAreDrawnWhereTheyBelong() {
        let frame = ThermalFrame(width: 40, height: 30, pixels: [UInt16](repeating: 29_815, count: 1200), timestamp: 0, sequence: 0)
        var (image, _, _) = FalseColour.render(frame)
        let before = image
        MarkedView.draw(
            MarkedView.Marks(disc: (x: 30, y: 20, radius: 3), site: (x: 10, y: 8), faceWidthRange: 5...9), width: 40, height: 30, scale: 4,
            into: &image)
        // The ring passes (radius + 1.5) × 4 = 18 px right of the disc's centre pixel.
        let ringX = 30 * 4 + 2 + 18, ringY = 20 * 4 + 2
        #expect(image[ringX, ringY] == (0, 229, 255) || image[ringX + 1, ringY] == (0, 229, 255))
        #expect(image[30 * 4 + 2, 20 * 4 + 2] == before[30 * 4 + 2, 20 * 4 + 2], "the disc itself stays visible")
        #expect(image[10 * 4 + 2 + 6, 8 * 4 + 2] == (0, 255, 102), "the site's cross")
        // The guides: a green bar 5 px × 4 long, a white one 9 × 4.
        #expect(image[4 + 19, 30 * 4 - 4 - 8] == (0, 255, 102) && image[4 + 20, 30 * 4 - 4 - 8] == before[4 + 20, 30 * 4 - 4 - 8])
        #expect(image[4 + 35, 30 * 4 - 4] == (255, 255, 255))
        // Nothing is drawn on the scale bar beside the picture.
        for y in 0..<image.height { for x in (40 * 4)..<image.width { #expect(image[x, y] == before[x, y]) } }
    }
}
