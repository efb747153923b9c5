import Thermal

/// Finds the blackbody reference without being told where it is: a small disc, uniform (it is one temperature),
/// clearly warmer than the ring around it, in the lower part of the upright image (where installers put it, away
/// from faces), and at the same place in consecutive searches (people move, the reference does not). Places on a
/// traveller are skipped: someone standing still is as steady as a disc for a second.
///
/// On the development recordings it finds the disc 4.7–5.0 K above its ring with a spread under 0.15 K.
struct ReferenceLocator: Sendable {
    struct Candidate: Equatable {
        var x: Int, y: Int, radius: Int
        var contrastCK: Double
    }

    /// Radii tried (px): the discs seen on 160×120 sensors are 5.5–7 px across the research's stations.
    static let radii = 4...7
    /// A disc's pixels may spread this much (centi-kelvin, one standard deviation) and still be one temperature.
    static let maxSpreadCK = 15.0
    /// …and must read this much above the ring around them.
    static let minContrastCK = 150.0
    /// Searches in a row that must agree (within a pixel) before the place is trusted.
    static let agreeingSearches = 3
    /// Frames between searches until the reference is found…
    static let searchEveryFrames = 3
    /// …and after this many searches in a row found nothing (about 10 s), between slower searches: a lane left
    /// without its disc should not spend a core looking for it (a search costs about 1.6 ms on 160×120).
    static let missesBeforeBackoff = 30
    static let backoffEveryFrames = 9
    private var misses = 0

    private var lastFound: Candidate?
    private var agreeing = 0
    private var frames = 0
    /// Where the search starts, as a share of the image height: 0.45 for the lane's reference (installers put it
    /// low, away from faces); 0 for `calibrate check`, whose second reference may be held anywhere.
    let searchFrom: Double

    init(searchFrom: Double = 0.45) { self.searchFrom = searchFrom }

    /// Feeds a frame; returns the reference once consecutive searches agree on it.
    /// `isOnPerson(x, y)`: the pixel belongs to a traveller (something warm, new to the scene and person-sized).
    mutating func update(_ frame: ThermalFrame, isOnPerson: (Int, Int) -> Bool) -> Candidate? {
        frames += 1
        let interval = misses >= Self.missesBeforeBackoff ? Self.backoffEveryFrames : Self.searchEveryFrames
        guard frames % interval == 1 else { return nil }
        guard let found = Self.search(frame, from: searchFrom, isOnPerson: isOnPerson) else {
            agreeing = 0
            lastFound = nil
            misses += 1
            return nil
        }
        misses = 0
        if let last = lastFound, abs(last.x - found.x) <= 1, abs(last.y - found.y) <= 1 {
            agreeing += 1
        } else {
            agreeing = 1
        }
        lastFound = found
        return agreeing >= Self.agreeingSearches ? found : nil
    }

    /// The best disc below `from` (share of the height; the lower 55 % by default), or nil when nothing qualifies. Centres are tried on a 2-px
    /// grid, then the best one is refined to the pixel: a quarter of the work of trying every pixel, which matters
    /// because a lane without a disc in view keeps searching (every third frame).
    static func search(_ frame: ThermalFrame, from: Double = 0.45, isOnPerson: (Int, Int) -> Bool = { _, _ in false }) -> Candidate? {
        let w = frame.width, h = frame.height
        var best: Candidate?
        frame.pixels.withUnsafeBufferPointer { px in
            for r in radii {
                let (inner, ring) = offsets(radius: r, width: w)
                let margin = r + 4
                let y0 = max(margin, Int(Double(h) * from)), y1 = h - margin
                guard y0 < y1, margin < w - margin else { continue }
                func consider(_ cx: Int, _ cy: Int) {
                    guard cx >= margin, cx < w - margin, cy >= y0, cy < y1, !isOnPerson(cx, cy),
                        let contrast = discContrast(px, centre: cy * w + cx, inner: inner, ring: ring),
                        contrast > (best?.contrastCK ?? 0)
                    else { return }
                    best = Candidate(x: cx, y: cy, radius: r, contrastCK: contrast)
                }
                for cy in stride(from: y0, to: y1, by: 2) {
                    for cx in stride(from: margin, to: w - margin, by: 2) { consider(cx, cy) }
                }
                if let coarse = best, coarse.radius == r {
                    for dy in -1...1 { for dx in -1...1 where dx != 0 || dy != 0 { consider(coarse.x + dx, coarse.y + dy) } }
                }
            }
        }
        return best
    }

    /// How much warmer a uniform disc is than its ring (centi-kelvin), or nil when it is not uniform or not warm enough.
    private static func discContrast(_ px: UnsafeBufferPointer<UInt16>, centre: Int, inner: [Int], ring: [Int]) -> Double? {
        var sum = 0.0, sumSq = 0.0
        for o in inner {
            let v = Double(px[centre + o])
            sum += v
            sumSq += v * v
        }
        let n = Double(inner.count)
        let mean = sum / n
        guard max(0, sumSq / n - mean * mean).squareRoot() <= maxSpreadCK else { return nil }
        var ringSum = 0.0
        for o in ring { ringSum += Double(px[centre + o]) }
        let contrast = mean - ringSum / Double(ring.count)
        return contrast >= minContrastCK ? contrast : nil
    }

    /// Index offsets of a disc's inner pixels (distance ≤ r − 1) and of its surrounding ring (r + 2 … r + 4).
    private static func offsets(radius r: Int, width: Int) -> (inner: [Int], ring: [Int]) {
        var inner: [Int] = [], ring: [Int] = []
        for dy in -(r + 4)...(r + 4) {
            for dx in -(r + 4)...(r + 4) {
                let d = Double(dx * dx + dy * dy).squareRoot()
                if d <= Double(r - 1) { inner.append(dy * width + dx) }
                if d >= Double(r + 2) && d <= Double(r + 4) { ring.append(dy * width + dx) }
            }
        }
        return (inner, ring)
    }
}
