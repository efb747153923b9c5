import Declarations
import GRDB
import Lane
import Screening

/// A passage as stored. Identity numbers are never stored whole here: the last 4 characters and the masked name
/// are what the display and reports need. The full payload is kept for the retention period only.
public struct PassageRow: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "passage"

    public var id: Int64?
    public var lane: String
    public var outcome: String
    public var recordedAt: String
    public var openedT: Double
    public var closedT: Double
    public var verdict: String?
    public var temperatureC: Double?
    public var skinC: Double?
    public var uncertaintyC: Double?
    public var thresholdC: Double?
    public var referenced: Bool?
    public var siteX: Int?
    public var siteY: Int?
    public var faceWidthPx: Int?
    public var declarationKind: String?
    public var idLast4: String?
    /// HMAC-SHA256 of the identity number with the installation's key: the same person, without the number.
    public var idHash: String?
    public var maskedName: String?
    public var birthYear: String?
    public var payload: String?
    public var symbology: String?
    public var scanner: String?
    public var notes: String
    /// When the hub acknowledged it (nil: not sent yet, or sent before this was recorded).
    public var uplinkSentAt: String?
    /// The key ID (`kid`) of the province key its identity number was sealed to when sent; nil: sent without one.
    public var identitySealedTo: String?

    enum CodingKeys: String, CodingKey {
        case id, lane, outcome, verdict, referenced, payload, symbology, scanner, notes
        case recordedAt = "recorded_at", openedT = "opened_t", closedT = "closed_t"
        case temperatureC = "temperature_c", skinC = "skin_c", uncertaintyC = "uncertainty_c", thresholdC = "threshold_c"
        case siteX = "site_x", siteY = "site_y", faceWidthPx = "face_width_px"
        case declarationKind = "declaration_kind", idLast4 = "id_last4", idHash = "id_hash", maskedName = "masked_name", birthYear = "birth_year"
        case uplinkSentAt = "uplink_sent_at", identitySealedTo = "identity_sealed_to"
    }

    init(_ p: Passage, recordedAt: String, identityKey: IdentityKey) {
        lane = p.laneID
        outcome = p.outcome.rawValue
        self.recordedAt = recordedAt
        openedT = p.openedAt
        closedT = p.closedAt
        verdict = p.measurement?.verdict.rawValue
        temperatureC = p.measurement?.temperatureC
        skinC = p.measurement?.skinC
        uncertaintyC = p.measurement?.uncertaintyC
        thresholdC = p.measurement?.thresholdC
        referenced = p.measurement?.referenced
        siteX = p.measurement?.siteX
        siteY = p.measurement?.siteY
        faceWidthPx = p.measurement?.faceWidthPx
        declarationKind = p.declaration?.kind.rawValue
        idLast4 = p.declaration?.id.map(Masking.lastFour)
        idHash = p.declaration?.id.map(identityKey.hash)
        maskedName = p.declaration?.name.map(Masking.name)
        birthYear = p.declaration?.dateOfBirth.map { String($0.prefix(4)) }
        payload = p.scan?.payload
        symbology = p.scan?.symbology
        scanner = p.scan?.device
        notes = p.notes.joined(separator: ",")
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
