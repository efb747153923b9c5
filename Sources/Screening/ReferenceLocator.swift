import Thermal

/// Finds the blackbody reference without being told where it is: a small disc, uniform (it is one temperature),
/// clearly warmer than the ring around it, in the lower part of the upright image (where installers put it, away
/// from faces), and at the same place in consecutive searches (people move, the reference does not). Places on a
/// traveller are skipped: someone standing still is as steady as a disc for a second.
///
/// Stations put the disc where the lane leaves room: on or in front of its warm housing, against the frame's edge
/// or in a corner with part of it cut off. Centres are tried up to the border, and a disc near it is judged on the
/// part of the disc and of its ring that lies inside the image.
struct ReferenceLocator: Sendable {
    struct Candidate: Equatable {
        var x: Int, y: Int, radius: Int
        var contrastCK: Double
    }

    /// Radii tried (px): the discs seen on 160×120 sensors are 5.5–7 px across the research's stations.
    static let radii = 4...8
    /// A disc's pixels may spread this much (centi-kelvin, one standard deviation) and still be one temperature.
    static let maxSpreadCK = 15.0
    /// …or this share of its contrast with the ring, whichever is larger (a hot disc's core is as flat, relatively).
    static let maxSpreadShare = 0.06
    /// …and must read this much above the ring around them.
    static let minContrastCK = 150.0
    /// Of a disc cut by the frame's edge, at least these shares of its inner pixels and of its ring must be inside.
    static let minInnerShare = 0.5
    static let minRingShare = 0.3
    /// Searches in a row that must agree (within a pixel) before the place is trusted.
    static let agreeingSearches = 3
    /// Frames between searches until the reference is found…
    static let searchEveryFrames = 3
    /// …and after this many searches in a row found nothing (about 10 s), between slower searches: a lane left
    /// without its disc should not spend a core looking for it.
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
        let result = Self.search(frame, from: searchFrom, isOnPerson: isOnPerson)
        guard let found = result else {
            // A hand or a head in front of the disc for one search does not move it: the count waits.
            misses += 1
            if misses > 1 {
                agreeing = 0
                lastFound = nil
            }
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

    /// The best disc below `from` (share of the height; the lower 55 % by default), or nil when nothing qualifies.
    /// Centres are tried on a 2-px grid, first against a cheap test (the centre warmer than four points on the
    /// ring), then in full; the best one is refined to the pixel.
    static func search(_ frame: ThermalFrame, from: Double = 0.45, isOnPerson: (Int, Int) -> Bool = { _, _ in false }) -> Candidate? {
        let w = frame.width, h = frame.height
        var perRadius: [Candidate] = []
        frame.pixels.withUnsafeBufferPointer { px in
            for r in radii {
                var best: Candidate?
                let shape = Shape(radius: r)
                let y0 = max(0, min(h - 1, Int(Double(h) * from)))
                func consider(_ cx: Int, _ cy: Int) {
                    guard cx >= 0, cx < w, cy >= y0, cy < h, !isOnPerson(cx, cy),
                        let contrast = shape.contrast(px, width: w, height: h, x: cx, y: cy),
                        contrast > (best?.contrastCK ?? 0)
                    else { return }
                    best = Candidate(x: cx, y: cy, radius: r, contrastCK: contrast)
                }
                let reach = r + 3
                for cy in stride(from: y0, to: h, by: 2) {
                    let centreRow = cy * w
                    for cx in stride(from: 0, to: w, by: 2) {
                        // Cheap test: warmer than the ring at every one of its four compass points inside the image.
                        let v = Int(px[centreRow + cx])
                        let need = v - Int(minContrastCK)
                        if cx - reach >= 0 && Int(px[centreRow + cx - reach]) > need { continue }
                        if cx + reach < w && Int(px[centreRow + cx + reach]) > need { continue }
                        if cy - reach >= 0 && Int(px[centreRow - reach * w + cx]) > need { continue }
                        if cy + reach < h && Int(px[centreRow + reach * w + cx]) > need { continue }
                        consider(cx, cy)
                    }
                }
                if let coarse = best {
                    for dy in -1...1 { for dx in -1...1 where dx != 0 || dy != 0 { consider(coarse.x + dx, coarse.y + dy) } }
                }
                if let best { perRadius.append(best) }
            }
        }
        // The strongest place; its radius is read off the disc's edge, not from the best ring (a ring farther out,
        // off a warm housing, always reads more contrast).
        guard var strongest = perRadius.max(by: { $0.contrastCK < $1.contrastCK }) else { return nil }
        strongest.radius = edgeRadius(frame, x: strongest.x, y: strongest.y, contrastCK: strongest.contrastCK)
        return strongest
    }

    /// The disc's radius at (x, y): the largest distance at which the mean of the pixels at that distance is still
    /// above halfway between the disc's centre and its surroundings.
    static func edgeRadius(_ frame: ThermalFrame, x: Int, y: Int, contrastCK: Double) -> Int {
        var sums = [Double](repeating: 0, count: radii.upperBound + 3), counts = [Int](repeating: 0, count: radii.upperBound + 3)
        let reach = radii.upperBound + 2
        for py in max(0, y - reach)...max(0, min(frame.height - 1, y + reach)) {
            for px in max(0, x - reach)...max(0, min(frame.width - 1, x + reach)) {
                let d = Int(Double((px - x) * (px - x) + (py - y) * (py - y)).squareRoot().rounded())
                guard d < sums.count else { continue }
                sums[d] += Double(frame[px, py])
                counts[d] += 1
            }
        }
        guard counts[0] > 0 else { return radii.lowerBound }
        let centre = sums[0] / Double(counts[0])
        let half = centre - contrastCK / 2
        var radius = radii.lowerBound
        for d in 1..<sums.count where counts[d] > 0 {
            if sums[d] / Double(counts[d]) >= half { radius = d } else { break }
        }
        return min(radii.upperBound, max(radii.lowerBound, radius))
    }

    /// A disc of one radius: its core (distance ≤ r − 2: the optics blur the rim) and its ring (r + 2 … r + 4) as offsets.
    struct Shape {
        let radius: Int
        var inner: [(dx: Int, dy: Int)] = []
        var ring: [(dx: Int, dy: Int)] = []

        init(radius r: Int) {
            radius = r
            for dy in -(r + 4)...(r + 4) {
                for dx in -(r + 4)...(r + 4) {
                    let d = Double(dx * dx + dy * dy).squareRoot()
                    if d <= Double(r) - 2 { inner.append((dx, dy)) }
                    if d >= Double(r + 2) && d <= Double(r + 4) { ring.append((dx, dy)) }
                }
            }
        }

        /// How much warmer the uniform disc at (x, y) is than its ring (centi-kelvin), reading only what lies inside
        /// the image; nil when too little of it is inside, it is not uniform, or not warm enough.
        func contrast(_ px: UnsafeBufferPointer<UInt16>, width w: Int, height h: Int, x: Int, y: Int) -> Double? {
            var ringSum = 0.0, ringN = 0
            for o in ring {
                let ix = x + o.dx, iy = y + o.dy
                guard ix >= 0, ix < w, iy >= 0, iy < h else { continue }
                ringSum += Double(px[iy * w + ix])
                ringN += 1
            }
            guard Double(ringN) >= ReferenceLocator.minRingShare * Double(ring.count) else { return nil }
            var sum = 0.0, sumSq = 0.0, n = 0
            for o in inner {
                let ix = x + o.dx, iy = y + o.dy
                guard ix >= 0, ix < w, iy >= 0, iy < h else { continue }
                let v = Double(px[iy * w + ix])
                sum += v
                sumSq += v * v
                n += 1
            }
            guard Double(n) >= ReferenceLocator.minInnerShare * Double(inner.count), n >= 4 else { return nil }
            let mean = sum / Double(n)
            let contrast = mean - ringSum / Double(ringN)
            guard contrast >= ReferenceLocator.minContrastCK else { return nil }
            // One temperature: the spread of the disc's core is sensor noise, a small share of its contrast at most.
            let spread = max(0, sumSq / Double(n) - mean * mean).squareRoot()
            return spread <= max(ReferenceLocator.maxSpreadCK, ReferenceLocator.maxSpreadShare * contrast) ? contrast : nil
        }
    }
}
