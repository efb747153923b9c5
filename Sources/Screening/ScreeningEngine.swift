import Thermal

/// The screening engine: frames in (with their timestamps), events out. Pure: no I/O, no clock, no randomness,
/// so the same recording always gives the same events.
///
/// Per traveller: while someone is in view the gates are checked on every frame (reference, flat-field
/// correction, one person, distance, stillness). When every gate has passed for `stableFrames` frames in a row,
/// the site readings of those frames are averaged into one `measured` event. Nothing more is reported for that
/// traveller until they have left (`left`).
public struct ScreeningEngine: Sendable {
    public let config: ScreeningConfig
    private var finder: SubjectFinder
    private var reference: ReferenceTracker?
    private var relative: RelativeThreshold?
    /// In `.auto` mode, until the reference has been found.
    private var locator: ReferenceLocator?
    private var referenceLostFrames = 0
    /// Frames since the disc's housing was last mapped.
    private var fixtureAge = 0
    private var fixtureMapped = false
    /// Frames (about 10 s) between two maps of the housing while nobody is in view.
    static let fixtureRefreshFrames = 88

    private var presence = TravellerPresence()
    private var window: [Sample] = []
    private var blockingReason: RetryReason?
    private var blockingFrames = 0
    private var announcedRetry: RetryReason?
    private var pause: PauseReason?
    private var pauseCandidate: PauseReason??
    private var pauseCandidateFrames = 0
    private var lastTimestamp: Double?
    private var lastFlatField: Double?
    /// Face widths of the last few frames: a face still growing belongs to someone walking up to the mark.
    private var recentFaceWidths: [Int] = []

    /// Frames over which a growing face means "still approaching", and the growth (px) that counts.
    static let approachFrames = 3
    static let approachGrowthPx = 2

    private var isApproaching: Bool {
        guard let first = recentFaceWidths.first, let last = recentFaceWidths.last, recentFaceWidths.count >= 2 else { return true }
        return last - first >= Self.approachGrowthPx
    }

    /// A warm component counts as another person only when it stands beside the traveller. Real people fall apart
    /// into several components (a beard, a scarf or cool clothes cut the outline), stacked under the same head.
    /// Someone farther back (a queue: a smaller face) or passing at the border does not count.
    static func isSecondPerson(_ other: Subject, beside main: Subject, minFaceWidth: Int) -> Bool {
        let beside = abs(other.centreX - main.centreX) > Double(main.faceWidth + other.faceWidth) / 2 + 2
        // Cut by the border, only part of the head shows: a large part beside the traveller is someone right next
        // to them; a sliver is someone passing.
        let large = other.cutBySide
            ? Double(other.faceWidth) >= 0.6 * Double(main.faceWidth)
            : other.faceWidth >= minFaceWidth && Double(other.faceWidth) >= 0.75 * Double(main.faceWidth)
        return beside && large
    }

    /// Frames (about 5 s) an automatically found reference may stay lost before it is searched for again.
    static let autoReferenceLostFrames = 44

    /// Movement allowed over the stable window, as a share of the face's width.
    static let maxMovementShare = 0.1
    /// Frames a new blocking reason must persist before it is announced (avoids flicker).
    static let debounceFrames = 3
    /// A gap in the frame stream this long means the camera was in a flat-field correction (shutter closed).
    static let shutterGapSeconds = 1.0
    /// A whole-image step of the background this large (centi-kelvin) is taken as a flat-field correction.
    static let backgroundStepCK = 15.0

    private struct Sample {
        var siteCK: Double
        var x: Int, y: Int, pixels: Int
        var faceWidth: Int
        var centreX: Double, centreY: Double
        var referenceStdCK: Double
    }

    public init(config: ScreeningConfig) {
        self.config = config
        finder = SubjectFinder(thresholdK: config.foregroundThresholdK)
        relative = config.relative
        if case .region(let x, let y, let r) = config.reference {
            reference = ReferenceTracker(x: x, y: y, radius: r, stabilityLimitC: config.referenceStabilityLimitC)
        } else if config.reference == .auto {
            locator = ReferenceLocator()
        }
    }


    /// Feeds one upright frame (centi-kelvin) and returns what happened.
    public mutating func process(_ input: ThermalFrame) -> [ScreeningEvent] {
        let frame = config.badPixels?.repair(input) ?? input
        var events: [ScreeningEvent] = []
        let t = frame.timestamp
        if let last = lastTimestamp, t - last > Self.shutterGapSeconds { lastFlatField = t }
        lastTimestamp = t

        // A frame that cannot be temperatures (8-bit video, raw counts) stops screening outright.
        let sample = frame.pixels[frame.pixels.count / 2]
        if sample < 23315 || sample > 33315 {  // −40 °C … 60 °C
            setPause(.notRadiometric, immediately: true, into: &events)
            return events
        }

        var referenceRaw: Double?, referenceStd = 0.0
        if locator != nil { setPause(sceneDrownsDisc ? .referenceLowContrast : .referenceMissing, into: &events) }
        if var tracker = reference {
            tracker.sceneCK = finder.roomCK > 0 ? finder.roomCK : nil
            tracker.setpointCK = CentiKelvin.fromCelsius(config.referenceSetpointC)
            switch tracker.update(frame) {
            case .ok(let raw, let std):
                referenceRaw = raw
                referenceStd = std
                referenceLostFrames = 0
                setPause(nil, into: &events)
            case .outsideImage: setPause(.referenceOutsideImage, immediately: true, into: &events)
            case let status: setPause(status.pauseReason, into: &events)
            }
            reference = tracker
            if referenceRaw == nil && config.reference == .auto {
                // A reference found automatically that stays lost was the wrong thing, or has been moved: look again.
                referenceLostFrames += 1
                if referenceLostFrames >= Self.autoReferenceLostFrames {
                    reference = nil
                    finder.fixture = []
                    fixtureMapped = false
                    locator = ReferenceLocator()
                    referenceLostFrames = 0
                }
            }
        } else if pause == .notRadiometric {
            setPause(nil, immediately: true, into: &events)
        }

        let shift = referenceRaw.map { CentiKelvin.fromCelsius(config.referenceSetpointC) - $0 } ?? 0
        let subjects = finder.find(in: frame, shiftCK: shift)
        if var search = locator {
            // Not on a traveller's head: someone standing still is as steady as a disc for a second.
            // A head reaches above the search's lower part; a warm housing as wide as a face stays in it, and
            // must not hide its own disc.
            let searchTop = Int(Double(frame.height) * search.searchFrom)
            let heads = subjects.filter { $0.faceWidth >= config.minFaceWidthPx && $0.headTop < searchTop }
            let found = search.update(frame) { x, y in
                heads.contains { abs(Double(x) - $0.centreX) <= Double($0.faceWidth) / 2 && y >= $0.headTop && y <= $0.headBottom }
            }
            if let found {
                reference = ReferenceTracker(
                    x: found.x, y: found.y, radius: found.radius, stabilityLimitC: config.referenceStabilityLimitC)
                locator = nil
            } else {
                locator = search
            }
        }
        if let tracker = reference, tracker.isVisible(width: frame.width, height: frame.height) {
            fixtureAge += 1
            // The disc's housing, once when the disc is known and again every few seconds while nobody is in view.
            if !fixtureMapped || (fixtureAge >= Self.fixtureRefreshFrames && !presence.present) {
                finder.fixture = FixtureMask.around(tracker, in: frame, roomCK: finder.roomCK)
                fixtureAge = 0
                fixtureMapped = true
            }
        }
        if abs(finder.backgroundStepCK) > Self.backgroundStepCK && frame.msSinceFFC == nil { lastFlatField = t }

        // Someone who can be at the mark: a head of some size, not in the bottom quarter (hands, things held low).
        let candidates = subjects.filter {
            $0.faceWidth * 2 >= config.minFaceWidthPx && $0.centreY < Double(frame.height) * 0.75
        }
        let skinArea = subjects.reduce(0) { $0 + $1.area }
        // The traveller: the largest head not cut by the border (someone passing close is), if there is one.
        guard let subject = candidates.first(where: { !$0.cutBySide }) ?? candidates.first else {
            if presence.noHead(at: t, skinArea: skinArea) {
                events.append(.left)
                resetTraveller()
            }
            return events
        }
        presence.head(subject, at: t)
        // A traveller already measured keeps the site their reading came from.
        let keptSite = presence.measured ? lastLook.flatMap { look in look.siteX.flatMap { x in look.siteY.map { (x, $0) } } } : nil
        lastLook = Look(
            faceWidthPx: subject.faceWidth, headTop: subject.headTop, headBottom: subject.headBottom, centreX: Int(subject.centreX.rounded()),
            siteX: keptSite?.0, siteY: keptSite?.1)
        if presence.measured { return events }
        // A head cut by the left or right border belongs to someone passing close or standing off the mark: wait.
        if subject.cutBySide {
            window.removeAll()
            return events
        }
        recentFaceWidths.append(subject.faceWidth)
        if recentFaceWidths.count > Self.approachFrames { recentFaceWidths.removeFirst() }

        // Gates, in the order a traveller can act on them.
        var reason: RetryReason?
        let sinceFFC = frame.msSinceFFC.map { Double($0) / 1000 } ?? lastFlatField.map { t - $0 }
        if (reference != nil || locator != nil) && referenceRaw == nil {
            reason = .referenceMissing
        } else if let sinceFFC, sinceFFC < config.ffcHoldoffSeconds {
            reason = .afterFlatField
        } else if candidates.contains(where: { $0 != subject && Self.isSecondPerson($0, beside: subject, minFaceWidth: config.minFaceWidthPx) })
            || subject.heads > 1
        {
            reason = .onePersonAtATime
        } else if subject.faceWidth > config.maxFaceWidthPx {
            reason = .tooClose
        } else if subject.faceWidth < config.minFaceWidthPx {
            reason = .tooFar
        }
        var siteReading: (valueCK: Double, x: Int, y: Int, pixels: Int)?
        if reason == nil {
            siteReading = finder.site(of: subject, in: frame)
            if let site = siteReading {
                lastLook?.siteX = site.x
                lastLook?.siteY = site.y
                if finder.eyesCovered(subject, in: frame, site: (site.valueCK, site.x, site.y)) { reason = .faceNotReadable }
            } else {
                reason = .faceNotReadable
            }
        }
        if reason == nil, let first = window.first {
            let dx = subject.centreX - first.centreX, dy = subject.centreY - first.centreY
            let widthChange = abs(Double(subject.faceWidth - first.faceWidth)) / Double(max(first.faceWidth, 1))
            // Still enough that every frame reads the same spot: a tenth of the face (its inner eye corner is a
            // few percent of it wide, and the site follows the head), and never less than the configured pixels.
            let limit = max(config.maxMovementPx, Self.maxMovementShare * Double(first.faceWidth))
            if (dx * dx + dy * dy).squareRoot() > limit || widthChange > 0.1 { reason = .moving }
        }

        if let reason {
            window.removeAll()
            if reason == blockingReason { blockingFrames += 1 } else { blockingReason = reason; blockingFrames = 1 }
            // "Come closer" is for someone who stopped too far, not for everyone on their way to the mark; and
            // while the traveller still walks up, their face is small and anyone waiting behind looks their size:
            // no reading then, but no "one at a time" either.
            if reason == .tooFar || reason == .onePersonAtATime, isApproaching { blockingFrames = 0 }
            if blockingFrames >= Self.debounceFrames && announcedRetry != reason {
                announcedRetry = reason
                events.append(.retry(reason))
            }
            return events
        }
        blockingReason = nil
        blockingFrames = 0
        guard let site = siteReading else { return events }
        let corrected = referenceRaw.map { site.valueCK - $0 + CentiKelvin.fromCelsius(config.referenceSetpointC) }
        window.append(
            Sample(
                siteCK: corrected ?? site.valueCK, x: site.x, y: site.y, pixels: site.pixels,
                faceWidth: subject.faceWidth, centreX: subject.centreX, centreY: subject.centreY,
                referenceStdCK: referenceStd))
        if window.count >= config.stableFrames {
            let reading = measurement(at: t, referenced: referenceRaw != nil)
            guard ScreeningConfig.plausibleC.contains(reading.temperatureC) else {
                window.removeAll()
                if announcedRetry != .implausibleReading {
                    announcedRetry = .implausibleReading
                    events.append(.retry(.implausibleReading))
                }
                return events
            }
            if reading.verdict == .normal { relative?.learn(normal: reading.temperatureC) }
            events.append(.measured(reading))
            presence.wasMeasured(subject, skinArea: skinArea)
            window.removeAll()
        }
        return events
    }

    private func measurement(at t: Double, referenced: Bool) -> Measurement {
        let values = window.map(\.siteCK)
        let n = Double(values.count)
        let skinC = CentiKelvin.celsius(Stats.mean(values))
        let screening = skinC + config.offsetC
        // Uncertainty budget (standard uncertainties in K, combined in quadrature, expanded with k = 2).
        let uNoise = Stats.standardDeviation(values) / 100 / n.squareRoot()
        let uPixels = config.sensorNoiseK / (Double(window.map(\.pixels).reduce(0, +))).squareRoot()
        let uReference = (window.map(\.referenceStdCK).max() ?? 0) / 100
        let uSystematic =
            referenced ? ScreeningConfig.systematicWithReferenceK : ScreeningConfig.systematicWithoutReferenceK
        let combined = (uNoise * uNoise + uPixels * uPixels + uReference * uReference + uSystematic * uSystematic)
            .squareRoot()
        let shown = roundedToTenth(screening)
        // A verdict never hides its uncertainty: a reading whose band reaches the threshold cannot rule a fever
        // out, so it goes to the secondary check (a lane without its reference sends everyone there).
        let uncertainty = max(0.1, roundedToTenth(2 * combined))
        let threshold = roundedToTenth(relative?.effectiveThreshold(absolute: config.thresholdC) ?? config.thresholdC)
        let last = window[window.count - 1]
        return Measurement(
            time: t, temperatureC: shown, skinC: (skinC * 100).rounded() / 100,
            uncertaintyC: uncertainty,
            verdict: shown + uncertainty >= threshold - 1e-9 ? .elevated : .normal, thresholdC: threshold,
            siteX: last.x, siteY: last.y, faceWidthPx: last.faceWidth, referenced: referenced,
            framesUsed: window.count)
    }

    /// Pauses and resumes are debounced like retries, except a non-radiometric stream which stops at once.
    private mutating func setPause(_ reason: PauseReason?, immediately: Bool = false, into events: inout [ScreeningEvent]) {
        guard reason != pause else {
            pauseCandidate = nil
            return
        }
        if case .some(let candidate) = pauseCandidate, candidate == reason {
            pauseCandidateFrames += 1
        } else {
            pauseCandidate = .some(reason)
            pauseCandidateFrames = 1
        }
        guard immediately || pauseCandidateFrames >= Self.debounceFrames else { return }
        pause = reason
        pauseCandidate = nil
        if let reason { events.append(.paused(reason)) } else { events.append(.resumed) }
    }

    private mutating func resetTraveller() {
        window.removeAll()
        blockingReason = nil
        blockingFrames = 0
        announcedRetry = nil
        recentFaceWidths.removeAll()
    }

    /// The blackbody the engine reads (configured or found), in the upright image.
    public var referenceDisc: (x: Int, y: Int, radius: Int)? { reference.map { ($0.x, $0.y, $0.radius) } }

    /// What the engine last saw of a traveller, for a technician's marked snapshot: the head it found and, when
    /// the face could be read, the measurement site.
    public struct Look: Sendable, Equatable {
        public var faceWidthPx: Int
        public var headTop: Int, headBottom: Int, centreX: Int
        public var siteX: Int?, siteY: Int?
    }

    public private(set) var lastLook: Look?

    /// The scene's median, about the air's temperature at the lane (°C; nil before the first frame).
    public var sceneC: Double? { finder.roomCK > 0 ? CentiKelvin.celsius(finder.roomCK) : nil }

    /// How much warmer the disc reads than the ring around it (°C; nil before it has been read). The engine needs
    /// 1 °C; below about 3 °C a warm scene is close to drowning it.
    public var referenceContrastC: Double? {
        guard let tracker = reference, tracker.lastDiscCK != nil else { return nil }
        return tracker.lastContrastCK / 100
    }

    /// While searching for the disc: the scene is within a few kelvin of its set-point, too warm for a disc to
    /// stand out.
    private var sceneDrownsDisc: Bool {
        finder.roomCK > 0 && CentiKelvin.fromCelsius(config.referenceSetpointC) - finder.roomCK < ReferenceTracker.warmSceneCK
    }

    /// Why screening is paused right now, if it is.
    public var pausedReason: PauseReason? { pause }
}
