import Testing
import Thermal

@Suite struct FrameDecoderTests {
    /// A raw buffer of `rows` rows of `stride` bytes, with `value(x, y)` written little-endian at each pixel.
    static func buffer(width: Int, rows: Int, stride: Int, _ value: (Int, Int) -> UInt16) -> [UInt8] {
        var raw = [UInt8](repeating: 0xEE, count: stride * rows)  // padding filled with junk on purpose
        for y in 0..<rows {
            for x in 0..<width {
                let v = value(x, y)
                raw[y * stride + 2 * x] = UInt8(v & 0xff)
                raw[y * stride + 2 * x + 1] = UInt8(v >> 8)
            }
        }
        return raw
    }

    static func decode(_ decoder: FrameDecoder, _ raw: [UInt8]) throws -> ([UInt16], FrameDecoder.Telemetry?) {
        var pixels: [UInt16] = []
        let telemetry = try raw.withUnsafeBytes { try decoder.decode($0, into: &pixels) }
        return (pixels, telemetry)
    }

    @Test func leptonY16IsCentiKelvinAndRowPaddingIsSkipped() throws {
        let decoder = try FrameDecoder(profile: .lepton, format: .init(fourcc: .y16, width: 160, height: 120, bytesPerLine: 336))
        let raw = Self.buffer(width: 160, rows: 120, stride: 336) { x, y in UInt16(29000 + x + 10 * y) }
        let (pixels, telemetry) = try Self.decode(decoder, raw)
        #expect(pixels.count == 160 * 120)
        #expect(pixels[0] == 29000 && pixels[119 * 160 + 159] == 29000 + 159 + 1190)
        #expect(telemetry == nil)
    }

    @Test func leptonTelemetryRowsAreStrippedAndRead() throws {
        let decoder = try FrameDecoder(profile: .lepton, format: .init(fourcc: .y16, width: 160, height: 122, bytesPerLine: 320))
        #expect(decoder.imageSize == .init(160, 120))
        var words = [Int: UInt16]()
        words[1] = 0x5678; words[2] = 0x0001  // 0x15678 ms since power-on = 87672
        words[3] = 0x0030  // FFC state 3: done
        words[24] = 30115  // FPA 28.00 °C
        words[29] = 30015  // FPA at FFC 27.00 °C
        words[30] = 0x1234; words[31] = 0x0001  // 0x11234 = 70196 ms
        let raw = Self.buffer(width: 160, rows: 122, stride: 320) { x, y in y == 120 ? (words[x] ?? 0) : (y == 121 ? 0 : 30000) }
        let (pixels, telemetry) = try Self.decode(decoder, raw)
        #expect(pixels.count == 160 * 120 && pixels.allSatisfy { $0 == 30000 })
        let t = try #require(telemetry)
        #expect(t.msSincePowerOn == 87672 && t.msAtLastFFC == 70196 && t.msSinceFFC == 17476)
        #expect(abs(t.fpaTemperatureC - 28.0) < 1e-9 && abs(t.fpaTemperatureAtFFCC - 27.0) < 1e-9)
        #expect(t.ffcState == 3)
    }

    @Test func infirayTakesTheLowerHalfIn64thsOfAKelvin() throws {
        let decoder = try FrameDecoder(profile: .infirayP2, format: .init(fourcc: .yuyv, width: 256, height: 384, bytesPerLine: 512))
        #expect(decoder.imageSize == .init(256, 192))
        // Upper half: an 8-bit picture (must be ignored). Lower half: 310.15 K = 19849.6/64 → 19850.
        let raw = Self.buffer(width: 256, rows: 384, stride: 512) { x, y in y < 192 ? 0x80FF : (x == 5 && y == 200 ? 19_200 : 19_850) }
        let (pixels, _) = try Self.decode(decoder, raw)
        #expect(pixels.count == 256 * 192)
        #expect(pixels[0] == 31016)  // 19850 × 100 / 64 = 31015.6
        #expect(pixels[8 * 256 + 5] == 30000)  // 19200 / 64 = 300.00 K
    }

    @Test func genericY16UsesTheConfiguredLine() throws {
        let decoder = try FrameDecoder(
            profile: .genericY16(gainKelvinPerCount: 0.04, offsetKelvin: 0),
            format: .init(fourcc: .y16, width: 4, height: 2, bytesPerLine: 8))
        let (pixels, _) = try Self.decode(decoder, Self.buffer(width: 4, rows: 2, stride: 8) { _, _ in 7754 })
        #expect(pixels == Array(repeating: 31016, count: 8))  // 7754 × 0.04 K = 310.16 K
    }

    @Test func videoThatIsNotTemperatureIsRefusedWithTheReason() {
        #expect(throws: CameraFormatError.notRadiometric(fourcc: "MJPG")) {
            try FrameDecoder(profile: .lepton, format: .init(fourcc: FourCC("MJPG"), width: 160, height: 120, bytesPerLine: 320))
        }
        #expect(throws: CameraFormatError.notRadiometric(fourcc: "YUYV")) {
            try FrameDecoder(profile: .lepton, format: .init(fourcc: .yuyv, width: 160, height: 120, bytesPerLine: 320))
        }
        #expect(throws: CameraFormatError.notRadiometric(fourcc: "GREY")) {
            try FrameDecoder(profile: .genericY16(gainKelvinPerCount: 1, offsetKelvin: 0), format: .init(fourcc: FourCC("GREY"), width: 8, height: 8, bytesPerLine: 8))
        }
        #expect(CameraFormatError.notRadiometric(fourcc: "MJPG").description.contains("not temperatures"))
        #expect(throws: CameraFormatError.wrongSize(expected: ["256x384"], got: "256x192", profile: "InfiRay P2 Pro / Topdon TC001")) {
            try FrameDecoder(profile: .infirayP2, format: .init(fourcc: .yuyv, width: 256, height: 192, bytesPerLine: 512))
        }
    }

    @Test func aShortBufferIsAnErrorNotACrash() throws {
        let decoder = try FrameDecoder(profile: .lepton, format: .init(fourcc: .y16, width: 160, height: 120, bytesPerLine: 320))
        #expect(throws: CameraFormatError.shortFrame(expected: 38400, got: 100)) { try Self.decode(decoder, [UInt8](repeating: 0, count: 100)) }
    }

    @Test func profilesAreFoundByUSBID() {
        #expect(CameraProfile.matching(USBID("1e4e:0100")!)?.kind == .lepton)
        #expect(CameraProfile.matching(USBID("0bda:5830")!)?.kind == .infirayP2)
        #expect(CameraProfile.matching(USBID("046d:0825")!) == nil)
        #expect(USBID(vendor: 0x0bda, product: 0x5830).description == "0bda:5830")
        #expect(FourCC("Y16 ").description == "Y16 " && FourCC.y16.code == 0x2036_3159)
    }
}
