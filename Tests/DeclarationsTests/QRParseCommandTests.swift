import Declarations
import Foundation
import Testing
import TestSupport

/// `checkpointctl qr parse` is called by scripts: its exact interface, with a certificate signed in the test.
@Suite struct QRParseCommandTests {
    static func run(_ arguments: [String], stdin: String = "") async throws -> (status: Int32, json: [String: Any]?, stderr: String) {
        let binary = try #require(builtProduct("checkpointctl"), "checkpointctl was not built")
        let run = try await runTool(binary, ["qr", "parse"] + arguments, stdin: stdin)
        let json = run.lines.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        return (run.status, json, run.stderr)
    }

    @Test func anEUDCCIsVerifiedAgainstTheTrustFileAtTheGivenTime() async throws {
        let signer = try DCCFactory.signer()
        let dir = temporaryDirectory()
        try signer.pem.write(toFile: dir + "/signers.pem", atomically: true, encoding: .utf8)
        let payload = try signer.certificate(expires: 1_900_000_000)  // 2030-03-17

        let ok = try await Self.run(["--json", "--trust", dir + "/signers.pem", "--at", "2023-11-14T08:00:00Z", payload])
        #expect(ok.status == 0, "\(ok.stderr)")
        let json = try #require(ok.json)
        #expect(json["kind"] as? String == "eu-dcc")
        #expect(json["signature"] as? String == "verified")
        #expect(json["family_name"] as? String == "Nguyễn")
        #expect(json["given_name"] as? String == "Thị Ánh Tuyết")
        #expect(json["date_of_birth"] as? String == "1990-04-15")
        let vaccinations = try #require(json["vaccinations"] as? [[String: Any]])
        #expect(vaccinations.first?["dn"] as? Int == 2 && vaccinations.first?["ci"] as? String == "URN:UVCI:01:VN:7A2B9C4D")
        #expect((json["tests"] as? [Any])?.isEmpty == true && (json["recoveries"] as? [Any])?.isEmpty == true)
        #expect((json["warnings"] as? [String])?.isEmpty == true)

        let expired = try await Self.run(["--json", "--trust", dir + "/signers.pem", "--at", "2031-01-01", "-"], stdin: payload + "\n")
        #expect(expired.status == 0)
        #expect(expired.json?["signature"] as? String == "invalid")
        let untrusted = try await Self.run(["--json", payload])
        #expect(untrusted.json?["signature"] as? String == "unverified")
    }

    @Test func badInputsExitTwoWithOneLine() async throws {
        let dir = temporaryDirectory()
        try "not a certificate".write(toFile: dir + "/bad.pem", atomically: true, encoding: .utf8)
        let badTrust = try await Self.run(["--trust", dir + "/bad.pem", "HC1:abc"])
        #expect(badTrust.status == 2)
        #expect(badTrust.stderr.contains("bad.pem"))
        let badTime = try await Self.run(["--at", "yesterday", "x"])
        #expect(badTime.status == 2 && badTime.stderr.contains("ISO 8601"))
        let empty = try await Self.run(["-"], stdin: "")
        #expect(empty.status == 2 && empty.stderr.contains("empty"))
        let garbage = try await Self.run(["--json", "HC1:%%%%"])
        #expect(garbage.status == 0, "a broken certificate is still read, as unrecognized")
        #expect(garbage.json?["kind"] as? String == "unrecognized")
    }
}
