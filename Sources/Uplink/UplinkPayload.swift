import Crypto
import Declarations
import Store
import UplinkProtocol

/// Turns a stored passage into what the province receives: counts and the reading for every passage, identity
/// only for an elevated one (the district calls that traveller). The identity comes from the QR payload the lane
/// still holds; after the payload's retention period it is no longer there and the follow-up carries what is left.
public enum UplinkPayload {
    public static func passage(
        _ row: PassageRow, provincialLane: String, parser: DeclarationParser = DeclarationParser(), tracingKey: TracingKey.PublicKey? = nil
    ) -> UplinkPassage {
        let id = row.id ?? 0
        var passage = UplinkPassage(
            key: UplinkPassage.key(lane: provincialLane, passageID: id), passageID: id, recordedAt: row.recordedAt,
            outcome: row.outcome, verdict: row.verdict, temperatureC: row.temperatureC.map(rounded),
            uncertaintyC: row.uncertaintyC.map(rounded), thresholdC: row.thresholdC, referenced: row.referenced,
            declarationKind: row.declarationKind)
        if row.verdict == "elevated", row.declarationKind != nil {
            passage.followUp = followUp(row, parser: parser)
        }
        if let tracingKey, let number = identityNumber(row, parser: parser) {
            passage.identity = try? SealedIdentity.seal(number, passageKey: passage.key, to: tracingKey)
        }
        return passage
    }

    /// The number that identifies the person for tracing: a citizen ID, a personal QR's ID, a health-insurance card
    /// number. An EU-DCC names a certificate, not a person, and a declaration link names a form. nil once the payload
    /// is purged (the passage was not sent within the retention period).
    static func identityNumber(_ row: PassageRow, parser: DeclarationParser) -> String? {
        guard let payload = row.payload, let declaration = try? parser.parse(payload),
            [.cccd, .personalQR, .bhyt].contains(declaration.kind), let id = declaration.id, !id.isEmpty
        else { return nil }
        return id
    }

    static func followUp(_ row: PassageRow, parser: DeclarationParser) -> FollowUp {
        guard let payload = row.payload, let declaration = try? parser.parse(payload), declaration.kind != .unrecognized else {
            // Payload purged or unreadable: what the passage row itself keeps (masked).
            return FollowUp(idNumber: row.idLast4.map { "…" + $0 }, name: row.maskedName, dateOfBirth: row.birthYear)
        }
        if declaration.kind == .url {
            // A declaration link: the declaration system holds the person; the link's id is how to find them.
            return FollowUp(idNumber: declaration.id)
        }
        return FollowUp(
            idNumber: declaration.id, name: declaration.name, dateOfBirth: declaration.dateOfBirth,
            phone: declaration.fields["phone"], address: declaration.fields["address"])
    }

    /// Two decimals are what a thermometer means; more would be noise on the wire.
    static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
