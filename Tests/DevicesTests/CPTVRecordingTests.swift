import Devices
import Foundation
import Lane
import Testing
import Thermal
import Zlib

/// The codec against the real TKO recordings in ../shared/recordings. Without them these tests fail and say where
/// the recordings are expected: a missing folder must not pass for a working decoder.
@Suite struct CPTVRecordingTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/recordings").path

    /// Fails the calling test, with where the recordings are looked for, when they are not there.
    static func requireRecordings() throws {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasSuffix(".cptv") } ?? []
        try #require(!files.isEmpty, "the real recordings are missing: no .cptv file in \(folder) (the project's shared folder sits beside the repository)")
    }

    /// (file, frames, min, max, centre pixel of the first frame), from an independent decoder written from the
    /// format notes (a Python reader), so the Swift decoder is not checked against itself.
    static let reference: [(String, Int, Int, Int, Int)] = [
        ("20210322-112850.cptv", 149, 29994, 30825, 30152),
        ("20210322-181012.cptv", 106, 30045, 30936, 30178),
        ("20210523-214354.cptv", 156, 28900, 30343, 28993),
        ("20210604.092427.027.cptv", 153, 30132, 31119, 30452),
        ("20210610-084119.cptv", 76, 29489, 30743, 29974),
        ("20210914-081748.cptv", 293, 29521, 30795, 29984),
        ("20210915-103009.cptv", 58, 29762, 30774, 30028),
        ("20210929-141022.cptv", 89, 29841, 30843, 30127),
    ]

    @Test(arguments: reference)
    func decodesExactlyAndReencodesEveryFrameByteForByte(file: String, frames: Int, min: Int, max: Int, centre: Int) throws {
        try Self.requireRecordings()
        let contents = try CPTVFile.read(path: Self.folder + "/" + file)
        #expect(contents.problem == nil)
        #expect(contents.header.width == 160 && contents.header.height == 120 && contents.header.version == 2)
        #expect(contents.header.model == "lepton3.5")
        #expect(contents.frames.count == frames)
        let summary = CPTVSummary(header: contents.header, frames: contents.frames)
        #expect(summary.min == min && summary.max == max)
        #expect(Int(contents.frames[0].pixels[60 * 160 + 80]) == centre)
        #expect(summary.ffcEvents == 0)
        #expect(abs(summary.durationS - Double(frames) / 8.77) < 0.15)

        var encoder = CPTVEncoder(header: contents.header)
        for frame in contents.frames { encoder.append(frame) }
        var decoder = try CPTVDecoder(bytes: encoder.bytes)
        var index = 0
        while let again = try decoder.next() {
            let original = contents.frames[index]
            #expect(again.bitWidth == original.bitWidth && again.packed == original.packed, "frame \(index) of \(file)")
            #expect(again.time == original.time && again.lastFFC == original.lastFFC)
            index += 1
        }
        #expect(index == frames)
    }

    @Test func aTruncatedFileGivesItsGoodFramesAndSaysSo() throws {
        try Self.requireRecordings()
        let data = try Array(Data(contentsOf: URL(fileURLWithPath: Self.folder + "/20210610-084119.cptv")))
        let cut = try CPTVFile.decode(Array(data.prefix(data.count / 2)), name: "half")
        #expect(cut.frames.count > 20 && cut.frames.count < 76)
        #expect(cut.problem?.contains("complete frames were read") == true)
        let full = try CPTVFile.read(path: Self.folder + "/20210610-084119.cptv")
        #expect(Array(full.frames.prefix(cut.frames.count)) == cut.frames)
    }
}

@Suite struct CPTVCodecTests {
    /// The worked example of research/cptv-format.md §5.
    @Test func theWorkedExampleFromTheFormatNotes() throws {
        var header = CPTVHeader()
        header.width = 3
        header.height = 2
        var encoder = CPTVEncoder(header: header)
        encoder.append(CPTVFrame(pixels: [10, 12, 11, 9, 9, 14], time: 100, lastFFC: 0))
        encoder.append(CPTVFrame(pixels: [11, 12, 11, 9, 10, 14], time: 214, lastFFC: 0))
        var decoder = try CPTVDecoder(bytes: encoder.bytes)
        let first = try #require(try decoder.next())
        #expect(first.bitWidth == 4 && first.packed == [0x0A, 0, 0, 0, 0x2F, 0x3B, 0x00])
        let second = try #require(try decoder.next())
        #expect(second.bitWidth == 2 && second.packed == [0x01, 0, 0, 0, 0xC1, 0xC0])
        #expect(second.pixels == [11, 12, 11, 9, 10, 14])
        #expect(try decoder.next() == nil)
    }

    @Test func extremeValuesSurviveARoundTrip() throws {
        var header = CPTVHeader()
        header.width = 4
        header.height = 3
        let frames: [[UInt16]] = [[0, 65535, 0, 65535, 1, 2, 3, 4, 65534, 0, 32768, 7], Array(repeating: 5, count: 12), Array(repeating: 5, count: 12)]
        var encoder = CPTVEncoder(header: header)
        for f in frames { encoder.append(CPTVFrame(pixels: f)) }
        var decoder = try CPTVDecoder(bytes: encoder.bytes)
        var decoded: [[UInt16]] = []
        while let f = try decoder.next() { decoded.append(f.pixels) }
        #expect(decoded == frames)
    }

    @Test func damagedStreamsGiveClearErrors() throws {
        #expect(throws: CPTVError.notCPTV) { try CPTVDecoder(bytes: Array("GIF89a".utf8)) }
        #expect(throws: CPTVError.unsupportedVersion(7)) { try CPTVDecoder(bytes: Array("CPTV".utf8) + [7, 0x48, 0]) }
        #expect(throws: CPTVError.missingField("width (X)")) { try CPTVDecoder(bytes: Array("CPTV".utf8) + [2, 0x48, 0]) }
        var header = CPTVHeader()
        header.width = 3
        header.height = 2
        var encoder = CPTVEncoder(header: header)
        encoder.append(CPTVFrame(pixels: [1, 2, 3, 4, 5, 6]))
        var bytes = encoder.bytes
        // Claim a larger bit width than the block holds.
        let w = bytes.lastIndex(of: UInt8(ascii: "w"))!
        bytes[w + 1] = 9
        var decoder = try CPTVDecoder(bytes: bytes)
        #expect(throws: CPTVError.badFrameSize(frame: 1, expected: 10, stored: 6)) { try decoder.next() }
        #expect(throws: CPTVFile.Failure.self) { try CPTVFile.decode(Array(repeating: 0x41, count: 100)) }
    }
}

@Suite struct CPTVLimitTests {
    /// A recording is read a frame at a time with caps: a frame count past the limit and a stream that inflates past
    /// its cap stop with the reason, after the good frames.
    @Test func capsStopACraftedStreamAfterItsGoodFrames() throws {
        var header = CPTVHeader()
        header.width = 2
        header.height = 2
        var encoder = CPTVEncoder(header: header)
        for t in 0..<50 { encoder.append(CPTVFrame(pixels: [1, 2, 3, 4], time: UInt32(t))) }
        var decoder = try CPTVDecoder(bytes: encoder.bytes, limits: CPTVLimits(maxFrames: 20))
        var read = 0
        #expect(throws: CPTVError.tooManyFrames(limit: 20)) { while try decoder.next() != nil { read += 1 } }
        #expect(read == 20)

        let contents = try CPTVFile.decode(try Gzip.gzip(encoder.bytes), limits: CPTVLimits(maxFrames: 20))
        #expect(contents.frames.count == 20 && contents.problem?.contains("more than 20 frames") == true, "\(String(describing: contents.problem))")

        let reader = try GzipReader(bytes: try Gzip.gzip([UInt8](repeating: 7, count: 3 << 20)), maxOutput: 1 << 20)
        #expect(throws: Gzip.Failure.self) { _ = try reader.read(2 << 20) }
        #expect(reader.inflated <= (1 << 20) + (64 << 10), "stopped within one chunk of its cap: \(reader.inflated)")
    }
}

@Suite struct ReplayTests {
    @Test func replayedFramesKeepTheRecordingsTimingAndAreTurnedUpright() throws {
        var header = CPTVHeader()
        header.width = 4
        header.height = 2
        let frames = [
            CPTVFrame(pixels: [1, 2, 3, 4, 5, 6, 7, 8], time: 10_000, lastFFC: 9_000),
            CPTVFrame(pixels: [1, 2, 3, 4, 5, 6, 7, 8], time: 10_114, lastFFC: 9_000),
            CPTVFrame(pixels: [1, 2, 3, 4, 5, 6, 7, 8], time: 12_200, lastFFC: 12_100),  // after a shutter event
        ]
        let contents = CPTVFile.Contents(header: header, frames: frames, problem: nil)
        let out = ReplayCamera.frames(of: contents, orientation: try Orientation(rotation: 90), start: 50)
        #expect(zip(out.map(\.timestamp), [50, 50.114, 52.2]).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(out.map(\.msSinceFFC) == [1000, 1114, 100])
        #expect(out[0].width == 2 && out[0].height == 4 && out[0].pixels == [5, 1, 6, 2, 7, 3, 8, 4])
        #expect(out.map(\.sequence) == [0, 1, 2])
    }
}
