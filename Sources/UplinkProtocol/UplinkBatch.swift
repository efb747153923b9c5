/// The lane → province wire format, version 1 (`docs/uplink.md` is its description for the health department).
///
/// One batch holds passages of one lane. Each passage carries its idempotency key, `<lane>#<passage id>`, which
/// the hub stores under a unique constraint: a batch sent twice (the answer was lost on a 3G link) counts once.
/// Personal data is kept to what the province acts on: counts need no identity, so a normal passage carries
/// none; an elevated passage carries what the district needs to follow the traveller up (`FollowUp`).
public enum UplinkSchema {
    public static let version = "checkpoint-lane.uplink/1"
    /// Largest batch the hub takes; the lane sends at most this many.
    public static let maxPassages = 500
}

public struct UplinkBatch: Codable, Sendable, Equatable {
    public var schema: String
    /// The lane's provincial id: `<checkpoint id>/<lane id>`, as the hub's lane table lists it.
    public var lane: String
    /// When the lane sent it (ISO 8601, UTC): for the hub's log, not for counting.
    public var sentAt: String
    public var passages: [UplinkPassage]

    public init(lane: String, sentAt: String, passages: [UplinkPassage], schema: String = UplinkSchema.version) {
        self.schema = schema
        self.lane = lane
        self.sentAt = sentAt
        self.passages = passages
    }

    enum CodingKeys: String, CodingKey {
        case schema, lane, passages
        case sentAt = "sent_at"
    }
}

public struct UplinkPassage: Codable, Sendable, Equatable {
    /// `<lane>#<passage id>`: stable for the life of the lane's database.
    public var key: String
    public var passageID: Int64
    /// When the passage closed (ISO 8601 with milliseconds, UTC). Daily counts use this, not the arrival time.
    public var recordedAt: String
    /// `complete`, `measured-no-declaration` or `scanned-no-reading`.
    public var outcome: String
    /// `normal` or `elevated`; absent when there was no reading.
    public var verdict: String?
    public var temperatureC: Double?
    public var uncertaintyC: Double?
    public var thresholdC: Double?
    /// Whether the reading was taken against the in-scene blackbody.
    public var referenced: Bool?
    /// `cccd`, `personal-qr`, `bhyt`, `eu-dcc`, `url` or `unrecognized`; absent when nothing was scanned.
    public var declarationKind: String?
    /// Only for elevated passages with a declaration.
    public var followUp: FollowUp?
    /// The identity number sealed to the province's tracing key (`SealedIdentity`), when the lane has that key and
    /// the declaration carries a number; any passage, normal or elevated.
    public var identity: SealedIdentity?

    public init(
        key: String, passageID: Int64, recordedAt: String, outcome: String, verdict: String? = nil, temperatureC: Double? = nil,
        uncertaintyC: Double? = nil, thresholdC: Double? = nil, referenced: Bool? = nil, declarationKind: String? = nil,
        followUp: FollowUp? = nil, identity: SealedIdentity? = nil
    ) {
        self.key = key
        self.passageID = passageID
        self.recordedAt = recordedAt
        self.outcome = outcome
        self.verdict = verdict
        self.temperatureC = temperatureC
        self.uncertaintyC = uncertaintyC
        self.thresholdC = thresholdC
        self.referenced = referenced
        self.declarationKind = declarationKind
        self.followUp = followUp
        self.identity = identity
    }

    public static func key(lane: String, passageID: Int64) -> String { "\(lane)#\(passageID)" }

    enum CodingKeys: String, CodingKey {
        case key, outcome, verdict, referenced, identity
        case passageID = "passage_id", recordedAt = "recorded_at", temperatureC = "temperature_c"
        case uncertaintyC = "uncertainty_c", thresholdC = "threshold_c", declarationKind = "declaration_kind"
        case followUp = "follow_up"
    }
}

/// Who to call about an elevated reading: what the declaration said, no more. Any field may be absent (the QR
/// kind has no such field, or the lane's payload retention already removed the full QR payload).
public struct FollowUp: Codable, Sendable, Equatable {
    public var idNumber: String?
    public var name: String?
    public var dateOfBirth: String?
    public var phone: String?
    public var address: String?

    public init(idNumber: String? = nil, name: String? = nil, dateOfBirth: String? = nil, phone: String? = nil, address: String? = nil) {
        self.idNumber = idNumber
        self.name = name
        self.dateOfBirth = dateOfBirth
        self.phone = phone
        self.address = address
    }

    enum CodingKeys: String, CodingKey {
        case name, phone, address
        case idNumber = "id_number", dateOfBirth = "date_of_birth"
    }
}

/// The hub's answer to a stored batch (HTTP 200): every key it now holds, new or already there, and the passages it
/// refused, each with its fault. The lane deletes the accepted ones from its outbox and sets the rejected ones aside.
public struct UplinkAnswer: Codable, Sendable, Equatable {
    public var accepted: [String]
    /// How many of them the hub already had (a retried batch).
    public var duplicates: Int
    /// Passages of the batch the hub did not store (invalid, or its database refused them); absent from older hubs.
    public var rejected: [UplinkRefusal.Rejected]

    public init(accepted: [String], duplicates: Int, rejected: [UplinkRefusal.Rejected] = []) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.rejected = rejected
    }

    enum CodingKeys: String, CodingKey { case accepted, duplicates, rejected }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        accepted = try c.decode([String].self, forKey: .accepted)
        duplicates = try c.decode(Int.self, forKey: .duplicates)
        rejected = try c.decodeIfPresent([UplinkRefusal.Rejected].self, forKey: .rejected) ?? []
    }
}

/// The hub's answer to a refused batch (HTTP 4xx): nothing of it was stored. `rejected` names the passages at
/// fault when the fault is theirs (422: every passage of the batch was refused), so the lane sets them aside.
public struct UplinkRefusal: Codable, Sendable, Equatable, Error {
    public var error: String
    public var rejected: [Rejected]

    public struct Rejected: Codable, Sendable, Equatable {
        public var key: String
        public var reason: String
        public init(key: String, reason: String) {
            self.key = key
            self.reason = reason
        }
    }

    public init(error: String, rejected: [Rejected] = []) {
        self.error = error
        self.rejected = rejected
    }
}
