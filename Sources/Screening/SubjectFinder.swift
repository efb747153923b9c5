import Thermal

/// A warm body in front of the camera and the head at its top (people are upright after the device's rotation).
struct Subject: Equatable {
    var area: Int
    var headTop: Int
    var headBottom: Int
    var faceWidth: Int
    var centreX: Double
    var centreY: Double
    /// The head runs into the left or right border: someone passing close, or standing off the mark.
    var cutBySide: Bool = false
    /// Heads along the top of the outline: two people standing close together form one warm component.
    var heads: Int = 1
    /// The component's label in the finder's label image, used to select the face's pixels.
    var label: Int32
}

/// Finds people as skin, not as outlines.
///
/// A pixel is skin when it reads like skin (at or above `seedC` after the reference's correction, below `hotC`)
/// and stands out from the room: clearly warmer than the room's median, or new to the learned background (a room
/// as warm as skin, a roadside tent at noon). Skin is grown from those seeds through a wider band (`growC`, half the
/// margins), so a face cut by a mask, glasses or a hat stays in one piece. Hair at air temperature, clothes and a
/// warm room then matter little, and a person already in view at the first frame is found at once: nothing has to
/// be learnt first. Fixed warm things next to the blackbody (its housing) are masked by the engine (`fixture`).
///
/// The head is the top of a skin component: its width a high percentile of the row widths over the top rows, its
/// box about 1.3 widths tall, so shoulders, arms and hands are left out.
struct SubjectFinder {
    private(set) var width = 0, height = 0
    private var background: [Float] = []
    private(set) var labels: [Int32] = []
    private var stack: [Int] = []
    private var members: [Int] = []
    private var rowCount: [Int] = []
    private var rowMin: [Int] = []
    private var rowMax: [Int] = []
    private var columnTop: [Int] = []
    /// Pixels the engine has marked as fixtures (the blackbody and its housing): never skin.
    var fixture: [Bool] = []
    let thresholdCK: Float
    /// Mean change of the background pixels from the previous frame (centi-kelvin): a flat-field step shows here.
    private(set) var backgroundStepCK: Double = 0
    /// The room: median of the frame (centi-kelvin), for the skin test and for reports.
    private(set) var roomCK: Double = 0

    /// Skin, in °C after the reference's correction (the camera's own scale without one). The skin around the eyes
    /// of people indoors reads 33–36 °C (cheeks and forehead a little, the face's edges a few kelvin below the inner
    /// eye corners), so `seedC` catches every face that is not cold, and `growC` the cooler edges, ears and a masked
    /// cheek. A blackbody's warm housing, a few kelvin below the disc, seeds nothing.
    static let seedC = 31.0
    static let growC = 29.0
    /// Above this nothing is skin, even with a high fever: lamps, heaters, engines.
    static let hotC = 43.0
    /// Margins over the room's median for seeds and for growth (centi-kelvin).
    static let seedOverRoomCK: Float = 300
    static let growOverRoomCK: Float = 150
    /// Components smaller than this (px) are noise, a hand at most.
    static let minArea = 40
    static let learningRate: Float = 0.05
    /// Background changes larger than this (centi-kelvin) are something moving, not the whole image stepping.
    static let maxStepCK: Float = 100
    /// Rows from a component's top over which the head's width is first estimated, and the head box's height in
    /// widths.
    static let firstHeadRows = 30
    static let headHeightInWidths = 1.3

    init(thresholdK: Double) { thresholdCK = Float(thresholdK * 100) }

    /// Finds the subjects in an upright frame. `shiftCK` converts a pixel to the reference's scale (set-point minus
    /// the disc's reading; 0 without a reference).
    mutating func find(in frame: ThermalFrame, shiftCK: Double) -> [Subject] {
        if frame.width != width || frame.height != height || background.isEmpty {
            width = frame.width
            height = frame.height
            background = frame.pixels.map(Float.init)
            labels = [Int32](repeating: 0, count: width * height)
            rowCount = [Int](repeating: 0, count: height)
            rowMin = [Int](repeating: Int.max, count: height)
            rowMax = [Int](repeating: -1, count: height)
            columnTop = [Int](repeating: Int.max, count: width)
        }
        let n = width * height
        // The engine clears the fixtures when it loses the disc, and maps them for one frame size only.
        if fixture.count != n { fixture = [Bool](repeating: false, count: n) }
        roomCK = Self.median(of: frame.pixels)
        let room = Float(roomCK), shift = Float(shiftCK)
        let seedAbs = Float(CentiKelvin.fromCelsius(Self.seedC)) - shift
        let growAbs = Float(CentiKelvin.fromCelsius(Self.growC)) - shift
        let hotAbs = Float(CentiKelvin.fromCelsius(Self.hotC)) - shift
        let seedRoom = room + Self.seedOverRoomCK, growRoom = room + Self.growOverRoomCK
        let seedNew = thresholdCK, growNew = thresholdCK / 2
        // Classify: -2 seed, -1 grow, 0 not skin.
        frame.pixels.withUnsafeBufferPointer { px in
            background.withUnsafeBufferPointer { bg in
                fixture.withUnsafeBufferPointer { fixed in
                    labels.withUnsafeMutableBufferPointer { lab in
                        for i in 0..<n {
                            let v = Float(px[i])
                            guard v >= growAbs, v <= hotAbs, !fixed[i] else {
                                lab[i] = 0
                                continue
                            }
                            let new = v - bg[i]
                            if v >= seedAbs && (v >= seedRoom || new >= seedNew) {
                                lab[i] = -2
                            } else if v >= growRoom || new >= growNew {
                                lab[i] = -1
                            } else {
                                lab[i] = 0
                            }
                        }
                    }
                }
            }
        }
        var subjects: [Subject] = []
        var next: Int32 = 1
        for start in 0..<n where labels[start] == -2 {
            if let subject = fill(from: start, label: next) { subjects.append(subject) }
            next += 1
        }
        // Learn the background where no skin stands, and measure its step (a flat-field correction shows there).
        var stepHistogram = [Int](repeating: 0, count: 2 * Int(Self.maxStepCK) + 1)
        var stepCount = 0
        let rate = Self.learningRate
        frame.pixels.withUnsafeBufferPointer { px in
            background.withUnsafeMutableBufferPointer { bg in
                labels.withUnsafeMutableBufferPointer { lab in
                    for i in 0..<n {
                        if lab[i] < 0 { lab[i] = 0 }  // grown skin that reached no seed
                        guard lab[i] == 0 else { continue }
                        let d = Float(px[i]) - bg[i]
                        // The step of a flat-field correction is a fraction of a kelvin over the whole image; a
                        // body's clothes and hair walking in are more, and only where they are: the median of the
                        // small changes is the step.
                        if abs(d) < Self.maxStepCK {
                            stepHistogram[Int(d + Self.maxStepCK)] += 1
                            stepCount += 1
                        }
                        bg[i] += rate * d
                    }
                }
            }
        }
        var seen = 0
        backgroundStepCK = 0
        for (bin, count) in stepHistogram.enumerated() {
            seen += count
            if seen * 2 >= stepCount && stepCount > 0 {
                backgroundStepCK = Double(bin) - Double(Self.maxStepCK)
                break
            }
        }
        return subjects.sorted { $0.area > $1.area }
    }

    /// Flood-fills one component from a seed through skin and measures its head.
    private mutating func fill(from start: Int, label: Int32) -> Subject? {
        members.removeAll(keepingCapacity: true)
        stack.removeAll(keepingCapacity: true)
        stack.append(start)
        labels[start] = label
        let w = width, h = height
        while let i = stack.popLast() {
            members.append(i)
            let x = i % w
            if x > 0 && labels[i - 1] < 0 { labels[i - 1] = label; stack.append(i - 1) }
            if x < w - 1 && labels[i + 1] < 0 { labels[i + 1] = label; stack.append(i + 1) }
            if i >= w && labels[i - w] < 0 { labels[i - w] = label; stack.append(i - w) }
            if i < w * (h - 1) && labels[i + w] < 0 { labels[i + w] = label; stack.append(i + w) }
        }
        guard members.count >= Self.minArea else { return nil }
        var top = h, bottom = 0
        for i in members {
            let x = i % w, y = i / w
            rowCount[y] += 1
            rowMin[y] = min(rowMin[y], x)
            rowMax[y] = max(rowMax[y], x)
            columnTop[x] = min(columnTop[x], y)
            top = min(top, y)
            bottom = max(bottom, y)
        }
        defer {
            for y in top...bottom {
                rowCount[y] = 0
                rowMin[y] = Int.max
                rowMax[y] = -1
            }
            for x in 0..<w { columnTop[x] = Int.max }
        }
        let firstWidth = percentile80(rows: top...min(bottom, top + Self.firstHeadRows))
        let headBottom = min(bottom, top + max(4, Int((Double(firstWidth) * Self.headHeightInWidths).rounded())))
        let faceWidth = percentile80(rows: top...headBottom)
        var cx = 0.0, rows = 0.0, cut = false
        for y in top...headBottom where rowCount[y] > 0 {
            cx += Double(rowMin[y] + rowMax[y]) / 2
            rows += 1
            if rowMin[y] == 0 || rowMax[y] == w - 1 { cut = true }
        }
        return Subject(
            area: members.count, headTop: top, headBottom: headBottom, faceWidth: faceWidth,
            centreX: cx / max(rows, 1), centreY: Double(top + headBottom) / 2, cutBySide: cut,
            heads: countHeads(top: top, bottom: bottom), label: label)
    }

    /// The 80th percentile of the row widths over `rows`: the head's width, robust to a hole (glasses) or a strand.
    private func percentile80(rows: ClosedRange<Int>) -> Int {
        var counts = rows.map { rowCount[$0] }.filter { $0 > 0 }
        guard !counts.isEmpty else { return 0 }
        counts.sort()
        return counts[min(counts.count - 1, Int(Double(counts.count) * 0.8))]
    }

    /// Runs of columns whose outline reaches near the top (heads), separated by lower columns (necks and shoulders
    /// between two people). A run narrower than a few pixels (a strand of hair, noise) is not a head.
    private func countHeads(top: Int, bottom: Int) -> Int {
        let headLevel = top + max(4, (bottom - top) / 4)
        var heads = 0, run = 0
        for x in 0..<width {
            if columnTop[x] <= headLevel {
                run += 1
            } else {
                if run >= 6 { heads += 1 }
                run = 0
            }
        }
        if run >= 6 { heads += 1 }
        return max(heads, 1)
    }

    /// Whether the pixel is part of a skin component in the last frame.
    func isSkin(x: Int, y: Int) -> Bool { labels[y * width + x] > 0 }

    /// Whether something cool covers the eyes (glasses: glass is opaque to long-wave infrared, so the inner eye
    /// corners behind it cannot be measured, and the warmest skin left is forehead or cheek, which reads low).
    ///
    /// Glasses show as a band of rows across the face where it has holes: pixels between the face's left and right
    /// edge on that row that are not skin or read more than 3 K below the site. When the band reaches the site's row
    /// or lies just above it, the site is on a cheek or the nose under the glasses; when the band lies below the site
    /// and the face goes on under it, the site is on the forehead above them. A mask's band runs to the chin.
    func eyesCovered(_ subject: Subject, in frame: ThermalFrame, site: (valueCK: Double, x: Int, y: Int)) -> Bool {
        let w = Double(subject.faceWidth)
        let from = max(subject.headTop + 2, site.y - Int((0.25 * w).rounded()))
        let to = min(subject.headBottom, site.y + Int((0.08 * w).rounded()))
        guard from <= to else { return false }
        // At the site or just above it; or below it with the face going on under the band (the site is then on
        // the forehead above the glasses; a mask's band runs to the chin instead).
        let below = min(subject.headBottom, site.y + Int((0.45 * w).rounded()))
        return hasHoleBand(subject, frame, rows: from...to, siteCK: site.valueCK)
            || (site.y + 1 <= below && hasHoleBand(subject, frame, rows: (site.y + 1)...below, siteCK: site.valueCK, thenSkin: true))
    }

    /// Two rows in a row, each spanning most of the face's width, that are more than 30 % holes; with `thenSkin`,
    /// more than 55 %, and followed (within the rows) by two rows of face that are not.
    private func hasHoleBand(
        _ subject: Subject, _ frame: ThermalFrame, rows: ClosedRange<Int>, siteCK: Double, thenSkin: Bool = false
    ) -> Bool {
        let w = Double(subject.faceWidth)
        let reach = Int((w * 0.7).rounded())
        let x0 = max(0, Int(subject.centreX) - reach), x1 = min(width - 1, Int(subject.centreX) + reach)
        guard x0 < x1, rows.lowerBound >= 0, rows.upperBound < height else { return false }
        var run = 0, skinRun = 0, banded = false
        for y in rows {
            // The face's extent on this row; rows across the rounded top of the head, narrower, tell nothing.
            var first = -1, last = -1
            for x in x0...x1 where labels[y * width + x] == subject.label {
                if first < 0 { first = x }
                last = x
            }
            guard first >= 0, Double(last - first + 1) >= 0.6 * w else {
                run = 0
                continue
            }
            var holes = 0
            for x in first...last where labels[y * width + x] != subject.label || Double(frame[x, y]) < siteCK - 300 {
                holes += 1
            }
            // Below the site the band must cover most of the face (two lenses and the bridge): a cold nose tip or
            // the mouth covers less.
            let holed = Double(holes) > (thenSkin ? 0.55 : 0.3) * Double(last - first + 1)
            if banded {
                skinRun = holed ? 0 : skinRun + 1
                if skinRun >= 2 { return true }
            } else {
                run = holed ? run + 1 : 0
                if run >= 2 {
                    if !thenSkin { return true }
                    banded = true
                }
                // Glasses begin right under a forehead site; a band that starts lower is the nose or the mouth.
                if thenSkin && run == 0 && y - rows.lowerBound >= Int((0.15 * w).rounded()) { return false }
            }
        }
        return false
    }

    /// The site: the warmest robust spot of the upper face, as an inner-eye-corner proxy.
    /// Isolated hot pixels (warmer than all four neighbours by a wide margin) are rejected; the site value is the
    /// mean of the warmest few pixels that remain.
    func site(of subject: Subject, in frame: ThermalFrame) -> (valueCK: Double, x: Int, y: Int, pixels: Int)? {
        let headH = subject.headBottom - subject.headTop + 1
        let y0 = subject.headTop + Int(Double(headH) * 0.1)
        let y1 = subject.headTop + Int(Double(headH) * 0.7)
        var candidates: [(v: Int, x: Int, y: Int)] = []
        for y in max(1, y0)...max(1, min(height - 2, max(y0, y1))) {
            for x in 1..<(width - 1) where labels[y * width + x] == subject.label {
                let v = Int(frame[x, y])
                let neighbours = max(
                    Int(frame[x - 1, y]), Int(frame[x + 1, y]), Int(frame[x, y - 1]), Int(frame[x, y + 1]))
                if v > neighbours + 80 { continue }  // an isolated hot pixel, not skin
                candidates.append((v, x, y))
            }
        }
        guard candidates.count >= 8 else { return nil }
        candidates.sort { $0.v > $1.v }
        // The inner eye corners are a few pixels each: the warmest six, so the cooler skin around them does not
        // dilute the reading as the face grows.
        let take = min(6, candidates.count)
        let top = candidates.prefix(take)
        let value = Double(top.reduce(0) { $0 + $1.v }) / Double(take)
        let sx = Double(top.reduce(0) { $0 + $1.x }) / Double(take)
        let sy = Double(top.reduce(0) { $0 + $1.y }) / Double(take)
        return (value, Int(sx.rounded()), Int(sy.rounded()), take)
    }

    /// Median of a frame's pixels from a histogram of every fourth pixel (centi-kelvin): the room, cheaply.
    static func median(of pixels: [UInt16]) -> Double {
        var histogram = [Int](repeating: 0, count: 1024)  // 0.1 K bins from 233.15 K (−40 °C) to 335.55 K
        var counted = 0
        for i in stride(from: 0, to: pixels.count, by: 4) {
            let bin = min(1023, max(0, (Int(pixels[i]) - 23315) / 10))
            histogram[bin] += 1
            counted += 1
        }
        var seen = 0
        for (bin, count) in histogram.enumerated() {
            seen += count
            if seen * 2 >= counted { return Double(23315 + bin * 10 + 5) }
        }
        return 29315
    }
}
