import Declarations
import Lane
import Screening
import Testing

@Suite struct PairingTests {
    static func reading(at t: Double, _ celsius: Double = 36.6) -> Measurement {
        Measurement(
            time: t, temperatureC: celsius, skinC: celsius, uncertaintyC: 0.2, verdict: celsius >= 37.5 ? .elevated : .normal,
            thresholdC: 37.5, siteX: 60, siteY: 30, faceWidthPx: 44, referenced: true, framesUsed: 5)
    }

    static func scan(at t: Double, _ payload: String) -> (Scan, Declaration) {
        let declaration = (try? DeclarationParser().parse(payload)) ?? Declaration(kind: .unrecognized)
        return (Scan(time: t, payload: payload, device: "test", transport: "simulated"), declaration)
    }

    static let anID = "079190012345||Nguyễn Văn An|15041990|Nam|Hà Nội|01072021"
    static let otherID = "001085001234|Trần Văn Bình|02021985|Nam|Hà Nội|20052021"

    static func passages(_ outputs: [Pairing.Output]) -> [Passage] {
        outputs.compactMap { if case .passage(let p) = $0 { p } else { nil } }
    }

    @Test func scanThenReadingCompletesAPassage() {
        var pairing = Pairing(laneID: "l1", config: PairingConfig())
        let (scan, declaration) = Self.scan(at: 10, Self.anID)
        #expect(Self.passages(pairing.scanned(scan, declaration: declaration)).isEmpty)
        let done = Self.passages(pairing.measured(Self.reading(at: 12, 38.1)))
        #expect(done.count == 1)
        #expect(done[0].outcome == .complete)
        #expect(done[0].declaration?.id == "079190012345")
        #expect(done[0].measurement?.verdict == .elevated)
        #expect(done[0].openedAt == 10 && done[0].closedAt == 12)
    }

    @Test func readingThenScanCompletesAPassageToo() {
        var config = PairingConfig()
        config.mode = .measureFirst
        var pairing = Pairing(laneID: "l1", config: config)
        #expect(pairing.measured(Self.reading(at: 5)).contains(.note(.waitingForScan)))
        let (scan, declaration) = Self.scan(at: 9, Self.anID)
        let done = Self.passages(pairing.scanned(scan, declaration: declaration))
        #expect(done.count == 1 && done[0].outcome == .complete && done[0].openedAt == 5)
    }

    @Test func aScanWithoutReadingTimesOut() {
        var pairing = Pairing(laneID: "l1", config: PairingConfig())
        let (scan, declaration) = Self.scan(at: 0, Self.anID)
        _ = pairing.scanned(scan, declaration: declaration)
        #expect(Self.passages(pairing.tick(now: 14.9)).isEmpty)
        let expired = Self.passages(pairing.tick(now: 15.1))
        #expect(expired.count == 1 && expired[0].outcome == .scannedNoReading && expired[0].measurement == nil)
        #expect(!pairing.isWaitingForReading)
    }

    @Test func aReadingWithoutScanClosesWhenTheNextTravellerIsMeasured() {
        var pairing = Pairing(laneID: "l1", config: PairingConfig())
        _ = pairing.measured(Self.reading(at: 1, 38.0))
        let out = Self.passages(pairing.measured(Self.reading(at: 8)))
        #expect(out.count == 1 && out[0].outcome == .measuredNoDeclaration && out[0].measurement?.temperatureC == 38.0)
        #expect(pairing.isWaitingForScan)
    }

    @Test func theSameDeclarationScannedTwiceIsIgnoredAndNoted() {
        var pairing = Pairing(laneID: "l1", config: PairingConfig())
        let (first, d1) = Self.scan(at: 0, Self.anID)
        _ = pairing.scanned(first, declaration: d1)
        let (again, d2) = Self.scan(at: 1, Self.anID)
        #expect(pairing.scanned(again, declaration: d2) == [.note(.duplicateScanIgnored)])
        _ = pairing.measured(Self.reading(at: 3))
        // Scanned once more right after the passage: still the same traveller, not a new passage.
        let (late, d3) = Self.scan(at: 5, Self.anID)
        #expect(pairing.scanned(late, declaration: d3) == [.note(.duplicateScanIgnored)])
        #expect(!pairing.isWaitingForReading)
    }

    @Test func aNewScanReplacesAPendingOneAndThePassageSaysSo() {
        var pairing = Pairing(laneID: "l1", config: PairingConfig())
        let (first, d1) = Self.scan(at: 0, Self.anID)
        _ = pairing.scanned(first, declaration: d1)
        let (second, d2) = Self.scan(at: 2, Self.otherID)
        #expect(pairing.scanned(second, declaration: d2).contains(.note(.scanReplaced)))
        let done = Self.passages(pairing.measured(Self.reading(at: 4)))
        #expect(done.first?.declaration?.id == "001085001234")
        #expect(done.first?.notes == ["scan-replaced"])
    }
}
