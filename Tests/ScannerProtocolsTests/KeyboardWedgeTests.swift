import ScannerProtocols
import Testing

@Suite struct KeyboardWedgeTests {
    static let printableASCII = String((0x20...0x7E).map { Character(Unicode.Scalar(UInt8($0))) })

    @Test(arguments: KeyboardLayout.allCases)
    func everyPrintableASCIICharacterRoundTrips(layout: KeyboardLayout) {
        let typing = WedgeTyping(layout: layout)
        var decoder = KeyboardWedgeDecoder(layout: layout)
        // Leading spaces belong to the payload; only CR/LF are trimmed.
        let outcomes = decodeAll(&decoder, typing.reports(typing: Self.printableASCII))
        #expect(payloads(outcomes) == [Self.printableASCII])
    }

    /// Independent vectors from the layouts' keyboard charts (not from our tables).
    @Test func layoutSpecificKeys() {
        func typed(_ layout: KeyboardLayout, _ modifiers: UInt8, _ usage: UInt8) -> String? {
            var decoder = KeyboardWedgeDecoder(layout: layout)
            let outcomes = decodeAll(&decoder, [[modifiers, 0, usage, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0x28, 0, 0, 0, 0, 0]])
            return payloads(outcomes).first
        }
        #expect(typed(.us, 0x02, 0x1F) == "@")
        #expect(typed(.uk, 0x02, 0x1F) == "\"")
        #expect(typed(.uk, 0x02, 0x34) == "@")
        #expect(typed(.uk, 0x02, 0x20) == "£")
        #expect(typed(.de, 0x00, 0x1C) == "z")
        #expect(typed(.de, 0x00, 0x1D) == "y")
        #expect(typed(.de, 0x02, 0x24) == "/")
        #expect(typed(.de, 0x40, 0x14) == "@")
        #expect(typed(.de, 0x40, 0x64) == "|")
        #expect(typed(.de, 0x00, 0x33) == "ö")
        #expect(typed(.fr, 0x00, 0x14) == "a")
        #expect(typed(.fr, 0x00, 0x04) == "q")
        #expect(typed(.fr, 0x00, 0x1F) == "é")
        #expect(typed(.fr, 0x02, 0x1E) == "1")
        #expect(typed(.fr, 0x40, 0x27) == "@")
        #expect(typed(.fr, 0x00, 0x10) == ",")
        // A US scanner read with the wrong layout gives the wrong text: why the layout is a setting.
        #expect(typed(.de, 0x02, 0x31) == "'")
    }

    @Test func capsLockAffectsLettersOnly() {
        var decoder = KeyboardWedgeDecoder(layout: .us)
        let reports: [[UInt8]] = [
            [0, 0, 0x39, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0],  // Caps Lock on
            [0, 0, 0x04, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0],  // a → A
            [0x02, 0, 0x05, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0],  // Shift+b → b
            [0, 0, 0x1E, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0],  // 1 stays 1
            [0, 0, 0x39, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0],  // Caps Lock off
            [0, 0, 0x06, 0, 0, 0, 0, 0], [0, 0, 0x28, 0, 0, 0, 0, 0],
        ]
        #expect(payloads(decodeAll(&decoder, reports)) == ["Ab1c"])
        var german = KeyboardWedgeDecoder(layout: .de)
        #expect(payloads(decodeAll(&german, [[0, 0, 0x39, 0, 0, 0, 0, 0], [0, 0, 0x33, 0, 0, 0, 0, 0], [0, 0, 0x28, 0, 0, 0, 0, 0]])) == ["Ö"])
    }

    @Test func deadKeysComposeOnGermanAndFrench() {
        var german = KeyboardWedgeDecoder(layout: .de)
        // ´ then e → é; ^ then space → ^
        let reports: [[UInt8]] = [
            [0, 0, 0x2E, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0x08, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0],
            [0, 0, 0x35, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0x2C, 0, 0, 0, 0, 0], [0, 0, 0x28, 0, 0, 0, 0, 0],
        ]
        #expect(payloads(decodeAll(&german, reports)) == ["é^"])
        var french = KeyboardWedgeDecoder(layout: .fr)
        // ^ then e (usage 0x08) → ê
        #expect(payloads(decodeAll(&french, [[0, 0, 0x2F, 0, 0, 0, 0, 0], [0, 0, 0x08, 0, 0, 0, 0, 0], [0, 0, 0x28, 0, 0, 0, 0, 0]])) == ["ê"])
    }

    @Test func altGrOnEuropeanLayouts() {
        var uk = KeyboardWedgeDecoder(layout: .uk)
        #expect(payloads(decodeAll(&uk, [[0x40, 0, 0x21, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0x28, 0, 0, 0, 0, 0]])) == ["€"])
        // On US, right Alt is plain Alt: with a letter it types nothing.
        var us = KeyboardWedgeDecoder(layout: .us)
        #expect(payloads(decodeAll(&us, [[0x40, 0, 0x21, 0, 0, 0, 0, 0], [0, 0, 0x04, 0, 0, 0, 0, 0], [0, 0, 0x28, 0, 0, 0, 0, 0]])) == ["a"])
    }

    /// Alt held, keypad digits typed, Alt released → one character.
    static func altCode(_ digits: [UInt8]) -> [[UInt8]] {
        var reports: [[UInt8]] = [[0x04, 0, 0, 0, 0, 0, 0, 0]]
        for digit in digits {
            reports.append([0x04, 0, digit == 0 ? 0x62 : 0x58 + digit, 0, 0, 0, 0, 0])
            reports.append([0x04, 0, 0, 0, 0, 0, 0, 0])
        }
        reports.append([0, 0, 0, 0, 0, 0, 0, 0])
        return reports
    }

    @Test func altKeypadSequences() {
        var decoder = KeyboardWedgeDecoder(layout: .us)
        // Alt+0233 (Windows-1252 é), Alt+130 (CP437 é), Alt+0128 (€ in Windows-1252), Alt+029 (GS, GS1 separator)
        let reports = Self.altCode([0, 2, 3, 3]) + Self.altCode([1, 3, 0]) + Self.altCode([0, 1, 2, 8]) + Self.altCode([0, 2, 9])
            + Self.altCode([1, 5, 5]) + [[0, 0, 0x28, 0, 0, 0, 0, 0]]
        #expect(payloads(decodeAll(&decoder, reports)) == ["éé€\u{1D}¢"])
        // The example from the field: LAlt + KP0 KP8 KP3 in one report, then released → "S" (0x53).
        var field = KeyboardWedgeDecoder(layout: .us)
        let reportsField: [[UInt8]] = [
            [0x04, 0, 0x62, 0x60, 0x5B, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0x28, 0, 0, 0, 0, 0],
        ]
        #expect(payloads(decodeAll(&field, reportsField)) == ["S"])
    }

    @Test func invalidAltCodeIsRejectedNotGuessed() {
        var decoder = KeyboardWedgeDecoder(layout: .us)
        let outcomes = decodeAll(&decoder, Self.altCode([9, 9, 9]) + Self.altCode([0, 1, 2, 9]))
        #expect(outcomes == [.rejected(.invalidAltCode("999")), .rejected(.invalidAltCode("0129"))])
    }

    @Test func severalKeysInOneReportAndOverlappingReleases() {
        var decoder = KeyboardWedgeDecoder(layout: .us)
        let reports: [[UInt8]] = [
            [0, 0, 0x0B, 0x0C, 0, 0, 0, 0],  // h i together (in slot order)
            [0, 0, 0x0C, 0, 0, 0, 0, 0],  // h released, i still held: nothing new
            [0, 0, 0x0C, 0x2C, 0x04, 0, 0, 0],  // space and a pressed while i is held
            [0x02, 0, 0x1E, 0, 0, 0, 0, 0],  // all others released, Shift+1 → !
            [0, 0, 0x28, 0, 0, 0, 0, 0],
        ]
        #expect(payloads(decodeAll(&decoder, reports)) == ["hi a!"])
    }

    @Test func oneKibibytePayload() {
        let text = String((0..<1024).map { Array("079203001234|NGUYEN VAN AN|0123456789abcdefghijklmnopqrstuvwxyz")[$0 % 50] })
        var decoder = KeyboardWedgeDecoder(layout: .us)
        #expect(payloads(decodeAll(&decoder, WedgeTyping(layout: .us).reports(typing: text))) == [text])
    }

    @Test func payloadOverFourKiBIsRejectedAndTheNextScanWorks() {
        let typing = WedgeTyping(layout: .us)
        var decoder = KeyboardWedgeDecoder(layout: .us)
        let long = String(repeating: "A", count: ScanLimits.maxBytes + 1)
        let outcomes = decodeAll(&decoder, typing.reports(typing: long) + typing.reports(typing: "OK"))
        #expect(outcomes == [.rejected(.tooLong(limit: 4096)), .scan(DecodedScan(payload: "OK"))])
    }

    @Test func malformedReportsAreRejectedAndIgnored() {
        var decoder = KeyboardWedgeDecoder(layout: .us)
        #expect(decoder.decode([UInt8](), at: 0).isEmpty)  // zero-length transfer: nothing
        #expect(decoder.decode([0, 0, 4], at: 0) == [.rejected(.malformedReport("keyboard report of 3 bytes (boot keyboard reports are 8)"))])
        // Rollover (usage 1 everywhere) carries no keys; unknown usages type nothing.
        let outcomes = decodeAll(&decoder, [[0, 0, 1, 1, 1, 1, 1, 1], [0, 0, 0xE8, 0x3A, 0, 0, 0, 0], [0, 0, 0x04, 0, 0, 0, 0, 0], [0, 0, 0x28, 0, 0, 0, 0, 0]])
        #expect(payloads(outcomes) == ["a"])
    }

    @Test func gapFramingWithoutSuffix() throws {
        var decoder = KeyboardWedgeDecoder(layout: .us, suffix: .none, gapSeconds: 0.06)
        let typing = WedgeTyping(layout: .us)
        var outcomes = decodeAll(&decoder, typing.reports(typing: "FIRST", suffix: nil), start: 0)
        #expect(outcomes.isEmpty)
        #expect(decoder.idle(at: 0.02) == nil)  // still inside the gap
        // The second scan starts after a pause: the first is cut there.
        outcomes += decodeAll(&decoder, typing.reports(typing: "SECOND", suffix: nil), start: 0.2)
        #expect(payloads(outcomes) == ["FIRST"])
        let deadline = try #require(decoder.deadline)
        #expect(payloads([decoder.idle(at: deadline)].compactMap { $0 }) == ["SECOND"])
    }

    @Test func suffixFramingDropsAStalePartialScan() {
        var decoder = KeyboardWedgeDecoder(layout: .us, suffix: .enter)
        _ = decodeAll(&decoder, WedgeTyping(layout: .us).reports(typing: "HALF", suffix: nil))
        guard case .rejected(.incomplete) = decoder.idle(at: 5) else {
            Issue.record("a scan without its suffix must be rejected as incomplete")
            return
        }
        #expect(decoder.deadline == nil)
    }

    @Test func tabAndCtrlJSuffixes() {
        var tab = KeyboardWedgeDecoder(layout: .us, suffix: .tab)
        #expect(payloads(decodeAll(&tab, WedgeTyping(layout: .us).reports(typing: "A1", suffix: 0x2B))) == ["A1"])
        var lf = KeyboardWedgeDecoder(layout: .us, suffix: .lf)
        let ctrlJ: [[UInt8]] = [[0x01, 0, 0x0D, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]]
        #expect(payloads(decodeAll(&lf, WedgeTyping(layout: .us).reports(typing: "B2", suffix: nil) + ctrlJ)) == ["B2"])
    }
}
