import Screening
import Thermal

/// Scores the screening engine against simulated travellers whose true temperatures are known: bias, mean absolute
/// error, 95th-percentile error, sensitivity and specificity around the threshold, and how many travellers were
/// measured at all. Pure and deterministic (seeded), so a change to the engine shows up as a change in the numbers.
public enum AccuracyEvaluation {
    /// Travellers per simulated scene (each scene has its own room temperature and sensor state).
    static let blockSize = 50

    public static func run(_ conditions: AccuracyConditions, travellers count: Int, seed: UInt64 = 1, thresholdC: Double = 37.5)
        -> AccuracyReport
    {
        var outcomes: [AccuracyReport.Outcome] = []
        var rng = SeededRandom(seed: seed)
        var block = 0
        while outcomes.count < count {
            let size = min(blockSize, count - outcomes.count)
            outcomes += runBlock(conditions, size: size, seed: seed &* 7919 &+ UInt64(block), rng: &rng, thresholdC: thresholdC)
            block += 1
        }
        return AccuracyReport(conditions: conditions.name, thresholdC: thresholdC, outcomes: outcomes)
    }

    static func runBlock(
        _ conditions: AccuracyConditions, size: Int, seed: UInt64, rng: inout SeededRandom, thresholdC: Double
    ) -> [AccuracyReport.Outcome] {
        var travellers: [SceneTraveller] = []
        var t = conditions.personAtStart ? -SceneTraveller.approachSeconds - rng.uniform(0.2, 1.0) : 2.0
        for _ in 0..<size {
            var traveller = SceneTraveller(
                arrival: t, dwell: rng.uniform(3, 6), canthusC: rng.uniform(conditions.canthusRangeC.lowerBound, conditions.canthusRangeC.upperBound),
                faceWidthPx: rng.uniform(conditions.faceWidthRangePx.lowerBound, conditions.faceWidthRangePx.upperBound),
                offsetX: rng.uniform(-8, 8), turnDegrees: rng.uniform(-conditions.maxTurnDegrees, conditions.maxTurnDegrees),
                glasses: rng.uniform(0, 1) < conditions.glassesShare, hat: rng.uniform(0, 1) < conditions.hatShare,
                companion: rng.uniform(0, 1) < conditions.companionShare)
            traveller.mask = rng.uniform(0, 1) < conditions.maskShare
            traveller.helmet = rng.uniform(0, 1) < conditions.helmetShare
            traveller.queueBehind = rng.uniform(0, 1) < conditions.queueShare
            if traveller.helmet { traveller.hat = false }
            travellers.append(traveller)
            t = traveller.departure + rng.uniform(1.0, 2.5)
        }
        var settings = SceneSettings()
        settings.seed = seed
        settings.ambientC = rng.uniform(conditions.ambientRangeC.lowerBound, conditions.ambientRangeC.upperBound)
        settings.driftCKPerMinute = conditions.driftCKPerMinute
        if let every = conditions.flatFieldEverySeconds { settings.ffcTimes = Array(stride(from: every, to: t, by: every)) }
        settings.hotPixels = (0..<conditions.hotPixels).map { _ in
            PixelPosition(x: Int(rng.uniform(0, Double(settings.width - 1))), y: Int(rng.uniform(0, Double(settings.height - 1))))
        }
        if conditions.discAtEdgeOnHousing {
            settings.reference = SceneSettings.ReferenceDisc(x: settings.width - 3, y: settings.height - 18, radius: 6, temperatureC: 35)
            settings.housing = SceneSettings.Housing(width: 34, height: 46, warmthK: 5)
        }
        if let above = conditions.discAboveRoomK, var disc = settings.reference {
            disc.temperatureC = max(35, settings.ambientC + above)
            settings.reference = disc
        }
        if !conditions.reference { settings.reference = nil }

        var config = ScreeningConfig()
        config.thresholdC = thresholdC
        if let disc = settings.reference {
            config.reference = conditions.findReference ? .auto : .region(x: disc.x, y: disc.y, radius: disc.radius)
            config.referenceSetpointC = disc.temperatureC
        } else {
            config.reference = .none
        }
        var simulator = SceneSimulator(settings: settings, travellers: travellers)
        var engine = ScreeningEngine(config: config)
        var outcomes = travellers.map { AccuracyReport.Outcome(traveller: $0) }
        var current = 0
        var sequence: UInt64 = 0
        let fps = 8.77
        var now = 0.0
        while now < t {
            defer { now += 1 / fps }
            if simulator.isInFFC(at: now) { continue }
            let frame = simulator.frame(at: now, sequence: sequence)
            sequence += 1
            while current < travellers.count - 1 && now >= travellers[current].departure + 0.5 { current += 1 }
            for event in engine.process(frame) {
                switch event {
                case .measured(let m):
                    if outcomes[current].reading == nil { outcomes[current].reading = m } else { outcomes[current].extraReadings += 1 }
                case .retry(let reason):
                    if outcomes[current].reading == nil { outcomes[current].retries.append(reason) }
                default: break
                }
            }
        }
        return outcomes
    }
}
