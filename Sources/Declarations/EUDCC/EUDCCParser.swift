import Zlib

/// The EU Digital COVID Certificate (also Vietnam's vaccine passport): `HC1:` + Base45 of a zlib stream of a
/// COSE_Sign1 message whose payload is a CWT carrying the health certificate (claim −260, key 1).
///
/// The result says whether the signature is `verified` (a trusted signer's key validates it and the certificate
/// has not expired at the check time), `unverified` (no trusted key for it) or `invalid` (the signature does
/// not validate, or it has expired). The content is shown in every case, so staff can read it, but only
/// `verified` means the province can rely on it.
public enum EUDCCParser {
    public static let prefix = "HC1:"
    /// A certificate is about 300–500 bytes inflated; anything past this is not one.
    static let maxInflated = 32 * 1024

    public enum Signature: String, Sendable, Codable {
        case verified, unverified, invalid
    }

    /// nil when the payload does not start with `HC1:`. A payload that does but cannot be decoded is returned as
    /// `unrecognized` with the reason as a warning: it was meant as a certificate, and staff must check it.
    public static func parse(_ text: String, trust: DCCTrustList, at secondsSince1970: Int64?) -> Declaration? {
        guard text.hasPrefix(prefix) else { return nil }
        do {
            return try decode(String(text.dropFirst(prefix.count)), trust: trust, at: secondsSince1970)
        } catch {
            return Declaration(kind: .unrecognized, warnings: ["starts like an EU digital COVID certificate but \(error.description)"])
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func decode(_ base45: String, trust: DCCTrustList, at now: Int64?) throws(Failure) -> Declaration {
        let compressed: [UInt8]
        do { compressed = try Base45.decode(base45) } catch { throw Failure("its Base45 is broken (\(error.description))") }
        // The specification makes compression optional: a bare COSE message starts with tag 18 (0xD2) or an array.
        var cose = compressed
        if let first = compressed.first, first == 0x78 {
            let inflated: (bytes: [UInt8], complete: Bool)
            do { inflated = try Gzip.gunzip(compressed, maxOutput: maxInflated) } catch { throw Failure("its zlib stream is broken (\(error.description))") }
            guard inflated.complete else { throw Failure("its zlib stream is cut short") }
            cose = inflated.bytes
        }
        let message: COSESign1
        do { message = try COSESign1(CBORDecoder.decode(cose)) } catch { throw Failure("its COSE message is broken (\(error))") }
        let claims: CBOR
        do { claims = try CBORDecoder.decode(message.payload) } catch { throw Failure("its claims are broken (\(error.description))") }
        guard let hcert = claims[-260]?[1], case .map = hcert else { throw Failure("it has no health certificate claim (−260)") }

        var declaration = Declaration(kind: .euDCC)
        let certificate = JSONValue(hcert)
        let family = certificate["nam"]?["fn"]?.string ?? certificate["nam"]?["fnt"]?.string
        let given = certificate["nam"]?["gn"]?.string ?? certificate["nam"]?["gnt"]?.string
        declaration.name = [family, given].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        if declaration.name?.isEmpty == true { declaration.name = nil }
        if let dob = certificate["dob"]?.string, !dob.isEmpty {
            // The schema allows a year or a year and month ("1964", "1964-08") when the day is not known: kept as given.
            if let date = CalendarDate.fromISO(dob.prefix(10)) ?? CalendarDate.partial(dob) {
                declaration.dateOfBirth = date
            } else {
                declaration.warnings.append("its date of birth is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
            }
        }
        var entries = EUDCCContent(familyName: family, givenName: given)
        for (key, list) in [("v", \EUDCCContent.vaccinations), ("t", \.tests), ("r", \.recoveries)] as [(String, WritableKeyPath<EUDCCContent, [JSONValue]>)] {
            if case .array(let items)? = certificate[key] { entries[keyPath: list] = items }
        }
        let first = entries.vaccinations.first ?? entries.tests.first ?? entries.recoveries.first
        declaration.id = first?["ci"]?.string
        if let issuer = claims[1]?.text { declaration.fields["issuer_country"] = issuer }
        // `exp` is required; issuers write it as an integer or a float (seconds since 1970).
        let expiry: Int64? = switch claims[4] {
        case .float(let seconds)? where seconds.isFinite && abs(seconds) < 1e15: Int64(seconds.rounded(.down))
        case let value?: value.int.map(Int64.init)
        case nil: nil
        }
        if let expiry { declaration.fields["expires"] = String(expiry) }
        if entries.vaccinations.isEmpty && entries.tests.isEmpty && entries.recoveries.isEmpty {
            declaration.warnings.append("the certificate has no vaccination, test or recovery entry")
        }

        switch trust.verify(message: message.signedBytes, signature: message.signature, algorithm: message.algorithm, kid: message.kid) {
        case .valid(let signer):
            guard expiry != nil else {
                entries.signature = .invalid
                declaration.warnings.append("it has no expiry time (claim 4), which every certificate must carry")
                break
            }
            guard let now else {
                entries.signature = .verified
                declaration.warnings.append("the signature is valid, but no check time was given: expiry not checked")
                break
            }
            if let expiry, expiry < now {
                entries.signature = .invalid
                declaration.warnings.append("the certificate expired before the check time")
            } else if let notAfter = signer.notValidAfterSeconds, notAfter < now {
                entries.signature = .invalid
                declaration.warnings.append("its signer's certificate expired before the check time")
            } else {
                entries.signature = .verified
            }
        case .noKey:
            entries.signature = .unverified
            declaration.warnings.append("no trusted signer key for it: the content cannot be relied on")
        case .badSignature:
            entries.signature = .invalid
            declaration.warnings.append("the signature does not match: the certificate was altered or forged")
        }
        declaration.certificate = entries
        return declaration
    }
}

/// What an EU-DCC says, as the certificate writes it.
public struct EUDCCContent: Sendable, Equatable, Codable {
    public var familyName: String?
    public var givenName: String?
    public var vaccinations: [JSONValue] = []
    public var tests: [JSONValue] = []
    public var recoveries: [JSONValue] = []
    public var signature: EUDCCParser.Signature = .unverified
}

/// COSE_Sign1 (RFC 9052): `[protected header bstr, unprotected header map, payload bstr, signature bstr]`,
/// optionally tagged 18.
struct COSESign1 {
    let protectedHeader: [UInt8]
    let payload: [UInt8]
    let signature: [UInt8]
    let algorithm: COSEAlgorithm
    let kid: [UInt8]?

    init(_ item: CBOR) throws(CBORError) {
        var item = item
        if case .tagged(18, let inner) = item { item = inner }
        guard case .array(let parts) = item, parts.count == 4, let protected = parts[0].bytes, let payload = parts[2].bytes,
            let signature = parts[3].bytes
        else { throw CBORError("not a COSE_Sign1 array of 4 items") }
        let header = protected.isEmpty ? CBOR.map([]) : try CBORDecoder.decode(protected)
        // The algorithm counts only from the protected header: the unprotected one is not signed, so anyone could
        // change it there.
        guard let alg = header[1]?.int else { throw CBORError("its protected header names no signature algorithm") }
        guard let algorithm = COSEAlgorithm(rawValue: alg) else { throw CBORError("its signature algorithm is not ES256 or PS256") }
        self.protectedHeader = protected
        self.payload = payload
        self.signature = signature
        self.algorithm = algorithm
        kid = header[4]?.bytes ?? parts[1][4]?.bytes
    }

    /// Sig_structure: what the signer signed.
    var signedBytes: [UInt8] {
        CBOREncoder.encode(.array([.text("Signature1"), .bytes(protectedHeader), .bytes([]), .bytes(payload)]))
    }
}
