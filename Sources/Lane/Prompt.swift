import Screening

/// What the lane tells the traveller (screen and speaker), Vietnamese first. The `id` names the recorded or
/// synthesised audio file for the prompt.
public struct Prompt: Sendable, Equatable, Codable {
    public var id: String
    public var vi: String
    public var en: String

    public static let scanQR = Prompt(id: "scan-qr", vi: "Mời quét mã QR", en: "Please scan your QR code")
    public static let lookAtCamera = Prompt(id: "look-at-camera", vi: "Vui lòng nhìn vào camera", en: "Please look at the camera")
    public static let normal = Prompt(id: "normal", vi: "Nhiệt độ bình thường. Mời đi tiếp", en: "Temperature normal. Please go ahead")
    public static let elevated = Prompt(
        id: "elevated", vi: "Nhiệt độ cao. Vui lòng đến khu vực kiểm tra lại", en: "Elevated temperature. Please go to the secondary check")
    /// A reading whose uncertainty reaches the threshold (a lane without its reference): not a fever, not normal.
    public static let uncertain = Prompt(
        id: "uncertain", vi: "Chưa đo được chính xác. Vui lòng đến khu vực kiểm tra lại",
        en: "The reading is not certain. Please go to the secondary check")
    public static let scanAgain = Prompt(id: "scan-again", vi: "Không đọc được mã. Vui lòng quét lại", en: "Code not readable. Please scan again")
    /// An EU-DCC whose signature does not validate or that has expired.
    public static let certificateInvalid = Prompt(
        id: "certificate-invalid", vi: "Chứng nhận không hợp lệ. Cán bộ sẽ kiểm tra", en: "Certificate not valid. Staff will check it")
    public static let unrecognized = Prompt(
        id: "unrecognized", vi: "Mã không nhận dạng được. Cán bộ sẽ kiểm tra", en: "Code not recognised. Staff will check it")
    public static let paused = Prompt(
        id: "paused", vi: "Tạm dừng đo. Vui lòng chờ cán bộ", en: "Screening paused. Please wait for staff")

    public static func retry(_ reason: RetryReason) -> Prompt {
        switch reason {
        case .tooFar: Prompt(id: "too-far", vi: "Vui lòng lại gần hơn", en: "Please come closer")
        case .tooClose: Prompt(id: "too-close", vi: "Vui lòng lùi lại", en: "Please step back")
        case .onePersonAtATime: Prompt(id: "one-person", vi: "Một người một lần", en: "One person at a time")
        case .moving: Prompt(id: "stand-still", vi: "Vui lòng đứng yên", en: "Please stand still")
        case .afterFlatField: Prompt(id: "wait", vi: "Vui lòng chờ trong giây lát", en: "Please wait a moment")
        case .referenceMissing: paused
        // A reading that cannot be skin cannot rule a fever out: the secondary check, like an uncertain one.
        case .implausibleReading: uncertain
        case .faceNotReadable:
            Prompt(id: "face-camera", vi: "Vui lòng bỏ kính, mũ và nhìn thẳng", en: "Please remove glasses and hat and look straight ahead")
        }
    }
}
