/// The camera's bad pixels (dead, stuck, hot or cold), found by `checkpointctl camera pixels` and repaired in every
/// frame before screening: a stuck hot pixel on a face would otherwise be read as the eye corner.
///
/// Stored in the sensor's own orientation (as the camera delivers frames, before rotation), so changing the
/// configured rotation does not invalidate it; `oriented(by:)` gives the map for upright frames.
public struct PixelMap: Sendable, Equatable, Codable {
    public let width: Int
    public let height: Int
    /// Indices (y × width + x) of bad pixels, ascending.
    public let bad: [Int]

    public init(width: Int, height: Int, bad: some Sequence<Int>) {
        self.width = width
        self.height = height
        self.bad = Array(Set(bad.filter { $0 >= 0 && $0 < width * height })).sorted()
    }

    public var isEmpty: Bool { bad.isEmpty }

    /// The same pixels after the frames are turned by `orientation` (the map is turned as an image).
    public func oriented(by orientation: Orientation) -> PixelMap {
        var mask = [UInt16](repeating: 0, count: width * height)
        for index in bad { mask[index] = 1 }
        let turned = orientation.apply(to: ThermalFrame(width: width, height: height, pixels: mask, timestamp: 0, sequence: 0))
        return PixelMap(
            width: turned.width, height: turned.height, bad: turned.pixels.indices.filter { turned.pixels[$0] != 0 })
    }

    /// Replaces each bad pixel by the median of its good neighbours (3×3, widened to 5×5 when a cluster leaves
    /// none). A frame of another size is returned unchanged: the map belongs to another camera.
    public func repair(_ frame: ThermalFrame) -> ThermalFrame {
        guard !bad.isEmpty, frame.width == width, frame.height == height else { return frame }
        var out = frame
        var neighbours: [UInt16] = []
        for index in bad {
            let x = index % width, y = index / width
            for reach in 1...2 {
                neighbours.removeAll(keepingCapacity: true)
                for ny in max(0, y - reach)...min(height - 1, y + reach) {
                    for nx in max(0, x - reach)...min(width - 1, x + reach) where !isBad(ny * width + nx) {
                        neighbours.append(frame.pixels[ny * width + nx])
                    }
                }
                if !neighbours.isEmpty { break }
            }
            guard !neighbours.isEmpty else { continue }
            neighbours.sort()
            out.pixels[index] = neighbours[neighbours.count / 2]
        }
        return out
    }

    /// Binary search in the sorted `bad`: no set to build for every frame.
    func isBad(_ index: Int) -> Bool {
        var low = 0, high = bad.count
        while low < high {
            let mid = (low + high) / 2
            if bad[mid] < index { low = mid + 1 } else { high = mid }
        }
        return low < bad.count && bad[low] == index
    }
}

/// Finds bad pixels in a short capture, in the sensor's orientation; best of a plain wall or with the lens cap on.
/// A pixel is bad when, in most frames, it is far warmer (colder) than all but one of its 8 neighbours (so lone
/// bad pixels and pairs are found, while the edges of warm things in the scene, whose pixels have warm
/// neighbours, are not); when it belongs to a dead column or row (most of a line standing out from the lines
/// beside it); or when it never changes while the sensor around it shows noise (stuck).
public enum BadPixelFinder {
    public struct Finding: Sendable, Equatable {
        public var x: Int, y: Int
        public var kind: Kind
        /// Mean difference from the median of its 8 neighbours (centi-kelvin).
        public var offsetCK: Double
    }

    public enum Kind: String, Sendable, Equatable { case hot, cold, stuck }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case tooFewFrames(Int)
        case mixedSizes
        case sceneNotUniform(sharePercent: Double)

        public var description: String {
            switch self {
            case .tooFewFrames(let n): "need at least \(BadPixelFinder.minFrames) frames, got \(n)"
            case .mixedSizes: "the frames are not all the same size"
            case .sceneNotUniform(let share):
                "\(Int(share.rounded())) % of the pixels look bad: point the camera at a plain wall or cover the lens, then try again"
            }
        }
    }

    public static let minFrames = 8
    /// A pixel this far (centi-kelvin) beyond its neighbours is hot or cold: far beyond sensor noise (≈ 5 cK).
    public static let outlierCK = 300.0
    /// More than this share of bad pixels means the scene was not uniform, not that the sensor is broken.
    public static let maxBadShare = 0.02
    /// …and so do more dead lines (columns and rows) than a sensor worth repairing has.
    public static let maxBadLines = 4

    public static func find(in frames: [ThermalFrame]) throws(Failure) -> (map: PixelMap, findings: [Finding]) {
        guard frames.count >= minFrames, let first = frames.first else { throw .tooFewFrames(frames.count) }
        let w = first.width, h = first.height
        guard frames.allSatisfy({ $0.width == w && $0.height == h }) else { throw .mixedSizes }
        let n = w * h
        var outlierVotes = [Int](repeating: 0, count: n)
        // Against the pixels three either side along the row (column): a dead readout column (row), or a pair, is normal along
        // its own line but stands out across it.
        var acrossColumnVotes = [Int](repeating: 0, count: n), acrossRowVotes = [Int](repeating: 0, count: n)
        var line: [UInt16] = []
        func standsOut(_ v: Double, _ line: inout [UInt16]) -> Bool {
            guard line.count >= 2 else { return false }
            line.sort()
            let k = line.count
            let median = k % 2 == 1 ? Double(line[k / 2]) : (Double(line[k / 2 - 1]) + Double(line[k / 2])) / 2
            return abs(v - median) >= outlierCK
        }
        var offsetSum = [Double](repeating: 0, count: n)
        var changed = [Bool](repeating: false, count: n)
        var window: [UInt16] = []
        for (f, frame) in frames.enumerated() {
            let px = frame.pixels
            if f > 0 {
                let previous = frames[f - 1].pixels
                for i in 0..<n where px[i] != previous[i] { changed[i] = true }
            }
            for y in 0..<h {
                for x in 0..<w {
                    window.removeAll(keepingCapacity: true)
                    for ny in max(0, y - 1)...min(h - 1, y + 1) {
                        for nx in max(0, x - 1)...min(w - 1, x + 1) where nx != x || ny != y { window.append(px[ny * w + nx]) }
                    }
                    window.sort()
                    let v = Double(px[y * w + x]), k = window.count
                    offsetSum[y * w + x] += v - Double(window[k / 2])
                    // Against the second-warmest (second-coldest) neighbour: a pixel on the edge of something warm has
                    // warm neighbours, a lone bad pixel (or a pair) has not.
                    if v - Double(window[k - 2]) >= outlierCK || Double(window[1]) - v >= outlierCK {
                        outlierVotes[y * w + x] += 1
                    }
                    line.removeAll(keepingCapacity: true)
                    for nx in [x - 3, x - 2, x - 1, x + 1, x + 2, x + 3] where nx >= 0 && nx < w { line.append(px[y * w + nx]) }
                    if standsOut(v, &line) { acrossColumnVotes[y * w + x] += 1 }
                    line.removeAll(keepingCapacity: true)
                    for ny in [y - 3, y - 2, y - 1, y + 1, y + 2, y + 3] where ny >= 0 && ny < h { line.append(px[ny * w + x]) }
                    if standsOut(v, &line) { acrossRowVotes[y * w + x] += 1 }
                }
            }
        }
        // A sensor whose pixels mostly never change is not showing noise at all (a synthetic or frozen stream):
        // then "stuck" means nothing.
        let noisy = changed.filter { $0 }.count > n / 2
        var findings: [Finding] = []
        let majority = frames.count * 3 / 4
        // A column (row) is bad where most of its pixels stand out across it, in most frames. Edges of warm things
        // in view are far shorter than half the image; a person's outline is why the capture wants a plain wall.
        var inBadLine = [Bool](repeating: false, count: n)
        var badLines = 0
        for x in 0..<w {
            let rows = (0..<h).filter { acrossColumnVotes[$0 * w + x] >= majority }
            if rows.count >= h / 2 {
                badLines += 1
                for y in rows { inBadLine[y * w + x] = true }
            }
        }
        for y in 0..<h {
            let columns = (0..<w).filter { acrossRowVotes[y * w + $0] >= majority }
            if columns.count >= w / 2 {
                badLines += 1
                for x in columns { inBadLine[y * w + x] = true }
            }
        }
        for i in 0..<n {
            let meanOffset = offsetSum[i] / Double(frames.count)
            let kind: Kind
            if outlierVotes[i] >= majority || inBadLine[i] {
                kind = meanOffset > 0 ? .hot : .cold
            } else if noisy && !changed[i] {
                kind = .stuck
            } else {
                continue
            }
            findings.append(Finding(x: i % w, y: i / w, kind: kind, offsetCK: (meanOffset * 10).rounded() / 10))
        }
        let share = Double(findings.filter { !inBadLine[$0.y * w + $0.x] }.count) / Double(n)
        if share > maxBadShare || badLines > maxBadLines { throw .sceneNotUniform(sharePercent: Double(findings.count) / Double(n) * 100) }
        return (PixelMap(width: w, height: h, bad: findings.map { $0.y * w + $0.x }), findings)
    }
}
