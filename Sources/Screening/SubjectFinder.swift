import Thermal

/// A warm body in front of the camera and the head at its top (people are upright after the device's rotation).
struct Subject: Equatable {
    var area: Int
    var headTop: Int
    var headBottom: Int
    var faceWidth: Int
    var centreX: Double
    var centreY: Double
    var touchesTop: Bool
    /// Heads along the top of the outline: two people standing close together form one warm component.
    var heads: Int = 1
    /// The component's label in the finder's label image, used to select the face's pixels.
    var label: Int32
}

/// Learns the empty scene and separates warm bodies from it.
///
/// Background: a per-pixel running average updated only where nothing warm stands, so it follows slow drift of the
/// room and the sensor but never learns a person. Foreground: pixels at least `foregroundThresholdK` above it,
/// grouped into 4-connected components; components large enough to be a person are subjects.
struct SubjectFinder {
    private(set) var width = 0, height = 0
    private var background: [Float] = []
    private(set) var labels: [Int32] = []
    private var stack: [Int] = []
    private var rowCount: [Int] = []
    private var rowMin: [Int] = []
    private var rowMax: [Int] = []
    private var columnTop: [Int] = []
    let thresholdCK: Float
    /// Mean change of the background pixels from the previous frame (centi-kelvin): a flat-field step shows here.
    private(set) var backgroundStepCK: Double = 0

    static let minPersonArea = 150
    static let learningRate: Float = 0.05
    /// A warm component no larger than this (px) both ways is an object, not a person: a blackbody with its
    /// housing is at most 21 px across, a person's head and shoulders far more.
    static let maxObjectSpan = 24
    /// Per component label of the last frame: whether it was that small.
    private var compact: [Bool] = []

    init(thresholdK: Double) { thresholdCK = Float(thresholdK * 100) }

    mutating func find(in frame: ThermalFrame, excluding excluded: (Int, Int) -> Bool) -> [Subject] {
        if frame.width != width || frame.height != height || background.isEmpty {
            width = frame.width
            height = frame.height
            background = frame.pixels.map(Float.init)
            labels = [Int32](repeating: 0, count: width * height)
            rowCount = [Int](repeating: 0, count: height)
            rowMin = rowCount
            rowMax = rowCount
            columnTop = [Int](repeating: 0, count: width)
        }
        let n = width * height
        // Foreground mask (label -1) and the background's mean step in one pass.
        var stepSum = 0.0, stepCount = 0
        frame.pixels.withUnsafeBufferPointer { px in
            background.withUnsafeBufferPointer { bg in
                labels.withUnsafeMutableBufferPointer { lab in
                    for i in 0..<n {
                        let d = Float(px[i]) - bg[i]
                        if d > thresholdCK {
                            lab[i] = -1
                        } else {
                            lab[i] = 0
                            stepSum += Double(d)
                            stepCount += 1
                        }
                    }
                }
            }
        }
        backgroundStepCK = stepCount > 0 ? stepSum / Double(stepCount) : 0
        for y in 0..<height {
            for x in 0..<width where labels[y * width + x] == -1 && excluded(x, y) { labels[y * width + x] = 0 }
        }
        var subjects: [Subject] = []
        var next: Int32 = 1
        for start in 0..<n where labels[start] == -1 {
            if let subject = fill(from: start, label: next) { subjects.append(subject) }
            next += 1
        }
        // Learn the background where nothing warm stands.
        let rate = Self.learningRate
        frame.pixels.withUnsafeBufferPointer { px in
            background.withUnsafeMutableBufferPointer { bg in
                labels.withUnsafeBufferPointer { lab in
                    for i in 0..<n where lab[i] == 0 { bg[i] += rate * (Float(px[i]) - bg[i]) }
                }
            }
        }
        return subjects.sorted { $0.area > $1.area }
    }

    /// Flood-fills one component and measures its head: rows from the top until the outline narrows at the neck,
    /// widens into shoulders, or runs longer than a head can be.
    private mutating func fill(from start: Int, label: Int32) -> Subject? {
        for y in 0..<height {
            rowCount[y] = 0
            rowMin[y] = Int.max
            rowMax[y] = -1
        }
        for x in 0..<width { columnTop[x] = Int.max }
        stack.removeAll(keepingCapacity: true)
        stack.append(start)
        labels[start] = label
        var area = 0, top = height, bottom = 0, left = width, right = 0
        while let i = stack.popLast() {
            let x = i % width, y = i / width
            area += 1
            left = min(left, x)
            right = max(right, x)
            rowCount[y] += 1
            rowMin[y] = min(rowMin[y], x)
            rowMax[y] = max(rowMax[y], x)
            columnTop[x] = min(columnTop[x], y)
            top = min(top, y)
            bottom = max(bottom, y)
            if x > 0 && labels[i - 1] == -1 { labels[i - 1] = label; stack.append(i - 1) }
            if x < width - 1 && labels[i + 1] == -1 { labels[i + 1] = label; stack.append(i + 1) }
            if y > 0 && labels[i - width] == -1 { labels[i - width] = label; stack.append(i - width) }
            if y < height - 1 && labels[i + width] == -1 { labels[i + width] = label; stack.append(i + width) }
        }
        let index = Int(label)
        if compact.count <= index { compact += [Bool](repeating: false, count: index + 1 - compact.count) }
        compact[index] = bottom - top < Self.maxObjectSpan && right - left < Self.maxObjectSpan
        guard area >= Self.minPersonArea else { return nil }
        var maxWidth = 0, headBottom = bottom
        for y in top...bottom {
            let w = rowCount[y]
            let depth = y - top
            if depth >= 6 && maxWidth > 0 {
                if Double(w) < 0.8 * Double(maxWidth) || Double(w) > 1.45 * Double(maxWidth)
                    || Double(depth) > 1.8 * Double(maxWidth)
                {
                    headBottom = y - 1
                    break
                }
            }
            maxWidth = max(maxWidth, w)
        }
        var cx = 0.0, rows = 0.0
        for y in top...headBottom where rowCount[y] > 0 {
            cx += Double(rowMin[y] + rowMax[y]) / 2
            rows += 1
        }
        return Subject(
            area: area, headTop: top, headBottom: headBottom, faceWidth: maxWidth,
            centreX: cx / max(rows, 1), centreY: Double(top + headBottom) / 2, touchesTop: top == 0,
            heads: countHeads(top: top, bottom: bottom), label: label)
    }

    /// Whether the last frame had something warm at this pixel that is not part of the learned scene.
    /// Whether the pixel belongs to something person-sized that is not part of the learned scene. A blackbody
    /// switched on after start-up is warm and new, but compact: the reference search may look at it.
    func isOnPerson(x: Int, y: Int) -> Bool {
        let label = Int(labels[y * width + x])
        return label > 0 && !(compact.indices.contains(label) && compact[label])
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
                if run >= 4 { heads += 1 }
                run = 0
            }
        }
        if run >= 4 { heads += 1 }
        return max(heads, 1)
    }

    /// Whether something cool covers the eye band across the middle of the face (glasses: glass is opaque to long-wave
    /// infrared, so the inner eye corners behind it cannot be measured, and the warmest skin left is forehead or
    /// cheek, which reads low). Pixels count as covered when they are not part of the warm body or read more than
    /// 3 K below the site.
    func eyesCovered(_ subject: Subject, in frame: ThermalFrame, siteCK: Double) -> Bool {
        let headH = Double(subject.headBottom - subject.headTop + 1)
        let y0 = subject.headTop + Int(headH * 0.40), y1 = subject.headTop + Int(headH * 0.54)
        let half = Double(subject.faceWidth) * 0.3
        let x0 = max(0, Int(subject.centreX - half)), x1 = min(width - 1, Int(subject.centreX + half))
        guard y0 <= y1, x0 < x1, y1 < height else { return false }
        var covered = 0, total = 0
        for y in y0...y1 {
            for x in x0...x1 {
                total += 1
                if labels[y * width + x] != subject.label || Double(frame[x, y]) < siteCK - 300 { covered += 1 }
            }
        }
        // A quarter of the band covered is enough: at a third, 28 of 200 wearers of glasses were still read off the
        // forehead (0.6 °C low) in the hard accuracy conditions; at a quarter, 1.
        return total > 0 && Double(covered) / Double(total) > 0.25
    }

    /// The site: the warmest robust spot of the upper face (eye band), as an inner-eye-corner proxy.
    /// Isolated hot pixels (warmer than all four neighbours by a wide margin) are rejected; the site value is the
    /// mean of the warmest few pixels that remain.
    func site(of subject: Subject, in frame: ThermalFrame) -> (valueCK: Double, x: Int, y: Int, pixels: Int)? {
        let headH = subject.headBottom - subject.headTop + 1
        let y0 = subject.headTop + Int(Double(headH) * 0.3)
        let y1 = subject.headTop + Int(Double(headH) * 0.62)
        var candidates: [(v: Int, x: Int, y: Int)] = []
        for y in max(1, y0)...min(height - 2, max(y0, y1)) {
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
        let take = max(4, candidates.count / 50)
        let top = candidates.prefix(take)
        let value = Double(top.reduce(0) { $0 + $1.v }) / Double(take)
        let sx = Double(top.reduce(0) { $0 + $1.x }) / Double(take)
        let sy = Double(top.reduce(0) { $0 + $1.y }) / Double(take)
        return (value, Int(sx.rounded()), Int(sy.rounded()), take)
    }
}
