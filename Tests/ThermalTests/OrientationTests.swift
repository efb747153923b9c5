import Testing
import Thermal

@Suite struct OrientationTests {
    /// A 3×2 frame whose pixels are numbered so every move is visible:
    ///     1 2 3
    ///     4 5 6
    static let frame = ThermalFrame(width: 3, height: 2, pixels: [1, 2, 3, 4, 5, 6], timestamp: 1.5, sequence: 9, msSinceFFC: 700)

    @Test func ninetyDegreesClockwiseBringsTheLeftEdgeToTheTop() throws {
        let turned = try Orientation(rotation: 90).apply(to: Self.frame)
        #expect(turned.width == 2 && turned.height == 3)
        #expect(turned.pixels == [4, 1, 5, 2, 6, 3])
        #expect(turned.timestamp == 1.5 && turned.sequence == 9 && turned.msSinceFFC == 700)
    }

    @Test func everyRotationAndMirror() throws {
        #expect(try Orientation(rotation: 180).apply(to: Self.frame).pixels == [6, 5, 4, 3, 2, 1])
        #expect(try Orientation(rotation: 270).apply(to: Self.frame).pixels == [3, 6, 2, 5, 1, 4])
        #expect(try Orientation(rotation: 0, mirrored: true).apply(to: Self.frame).pixels == [3, 2, 1, 6, 5, 4])
        #expect(Orientation.upright.apply(to: Self.frame) == Self.frame)
        // Four quarter turns give the original back.
        var f = Self.frame
        for _ in 0..<4 { f = try Orientation(rotation: 90).apply(to: f) }
        #expect(f == Self.frame)
    }

    @Test func onlyQuarterTurnsAreAccepted() {
        #expect(throws: OrientationError(rotation: 45)) { try Orientation(rotation: 45) }
    }

    @Test func centiKelvinConversions() {
        #expect(CentiKelvin.celsius(31015) == 37.0)
        #expect(abs(CentiKelvin.fromCelsius(37.5) - 31065) < 1e-9)
    }
}
