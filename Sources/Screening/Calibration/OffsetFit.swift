/// Fits the constant offset between skin readings at the inner eye corner and a clinical thermometer's readings
/// of the same people (FeverScreen and IEC 80601-2-59 use one constant per installation).
public enum OffsetFit {
    public static let minPairs = 5
    /// Clinical readings outside this range are typing mistakes, not people.
    public static let clinicalRangeC = 34.0...43.0

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case tooFewPairs(Int)
        case implausibleClinical(Double)

        public var description: String {
            switch self {
            case .tooFewPairs(let n): "need readings of at least \(OffsetFit.minPairs) people, got \(n)"
            case .implausibleClinical(let c): "a clinical reading of \(c) °C is outside 34–43 °C: a typing mistake?"
            }
        }
    }

    /// offset = mean(clinical − skin), to 0.01 °C; each pair gets its residual.
    public static func fit(_ pairs: [OffsetPair]) throws(Failure) -> OffsetCalibration {
        guard pairs.count >= minPairs else { throw .tooFewPairs(pairs.count) }
        if let bad = pairs.first(where: { !clinicalRangeC.contains($0.clinicalC) }) { throw .implausibleClinical(bad.clinicalC) }
        let offset = (Stats.mean(pairs.map { $0.clinicalC - $0.skinC }) * 100).rounded() / 100
        let fitted = pairs.map { pair in
            OffsetPair(skinC: pair.skinC, clinicalC: pair.clinicalC, residualC: ((pair.clinicalC - pair.skinC - offset) * 100).rounded() / 100)
        }
        let rms = (Stats.mean(fitted.map { $0.residualC * $0.residualC })).squareRoot()
        return OffsetCalibration(offsetC: offset, pairs: fitted, rmsResidualC: (rms * 100).rounded() / 100)
    }
}
