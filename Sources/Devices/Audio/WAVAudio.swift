import Foundation

/// Mono 16-bit PCM audio, the one format the speaker plays. Prompts from espeak-ng, recorded prompts from a
/// technician's folder and the synthesised tones are all brought to this format, so cues can be joined into one
/// clip and played in a single `aplay` run (no gap, no overlap).
public struct WAVAudio: Sendable, Equatable {
    public static let sampleRate = 22_050
    public var samples: [Int16]

    public init(samples: [Int16]) { self.samples = samples }

    public var seconds: Double { Double(samples.count) / Double(Self.sampleRate) }

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// Reads a RIFF/WAVE file of 8- or 16-bit PCM, any rate, mono or stereo: channels are mixed and the rate is
    /// converted (linear interpolation is plenty for speech).
    public init(wav data: Data) throws(Failure) {
        let bytes = [UInt8](data)
        func u32(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 | Int(bytes[i + 3]) << 24 }
        func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WAVE".utf8) else {
            throw Failure(description: "not a WAV file (no RIFF/WAVE header)")
        }
        var format: (channels: Int, rate: Int, bits: Int)?
        var offset = 12
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self)
            // espeak-ng writing to a pipe leaves the data size at its maximum: read to the end of the file then.
            let size = min(u32(offset + 4), bytes.count - offset - 8)
            let body = offset + 8
            if id == "fmt " {
                guard size >= 16 else { throw Failure(description: "WAV format chunk too short") }
                guard u16(body) == 1 else { throw Failure(description: "WAV is not plain PCM (format \(u16(body)))") }
                format = (u16(body + 2), u32(body + 4), u16(body + 14))
            } else if id == "data" {
                guard let f = format else { throw Failure(description: "WAV data before its format chunk") }
                guard (1...2).contains(f.channels), f.bits == 16 || f.bits == 8, (8_000...96_000).contains(f.rate) else {
                    throw Failure(description: "unsupported WAV: \(f.channels) channels, \(f.bits) bits, \(f.rate) Hz")
                }
                let frameBytes = f.channels * f.bits / 8
                var mono = [Double]()
                mono.reserveCapacity(size / frameBytes)
                var i = body
                while i + frameBytes <= body + size {
                    var sum = 0.0
                    for c in 0..<f.channels {
                        let at = i + c * f.bits / 8
                        sum += f.bits == 16 ? Double(Int16(bitPattern: UInt16(u16(at)))) : (Double(bytes[at]) - 128) * 256
                    }
                    mono.append(sum / Double(f.channels))
                    i += frameBytes
                }
                samples = Self.resample(mono, from: f.rate)
                return
            }
            offset = body + size + (size & 1)
        }
        throw Failure(description: "WAV file has no data chunk")
    }

    static func resample(_ input: [Double], from rate: Int) -> [Int16] {
        guard rate != sampleRate, input.count > 1 else { return input.map(clip) }
        let count = Int(Double(input.count) * Double(sampleRate) / Double(rate))
        let step = Double(rate) / Double(sampleRate)
        return (0..<count).map { n in
            let x = Double(n) * step
            let i = min(Int(x), input.count - 2)
            let f = x - Double(i)
            return clip(input[i] * (1 - f) + input[i + 1] * f)
        }
    }

    static func clip(_ v: Double) -> Int16 { Int16(max(-32768, min(32767, v.rounded()))) }

    /// The clip at `volume` (0…1) of its level.
    public func scaled(by volume: Double) -> WAVAudio {
        let v = max(0, min(1, volume))
        return WAVAudio(samples: samples.map { Self.clip(Double($0) * v) })
    }

    /// `count` seconds of silence (between a tone and the words that follow it).
    public static func silence(seconds: Double) -> WAVAudio {
        WAVAudio(samples: [Int16](repeating: 0, count: Int(seconds * Double(sampleRate))))
    }

    public static func + (a: WAVAudio, b: WAVAudio) -> WAVAudio { WAVAudio(samples: a.samples + b.samples) }

    /// A complete WAV file (what `aplay` reads on its standard input).
    public var wav: Data {
        var out = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { out.append(contentsOf: $0) } }
        out.append(contentsOf: "RIFF".utf8)
        u32(36 + samples.count * 2)
        out.append(contentsOf: "WAVEfmt ".utf8)
        u32(16); u16(1); u16(1); u32(Self.sampleRate); u32(Self.sampleRate * 2); u16(2); u16(16)
        out.append(contentsOf: "data".utf8)
        u32(samples.count * 2)
        samples.withUnsafeBytes { raw in
            for s in raw.bindMemory(to: Int16.self) { withUnsafeBytes(of: s.littleEndian) { out.append(contentsOf: $0) } }
        }
        return out
    }
}
