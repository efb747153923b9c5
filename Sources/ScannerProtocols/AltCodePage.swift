/// Characters typed as Alt + keypad digits ("Alt mode" on scanners). Windows' convention, which scanners follow:
/// a code with a leading 0 (Alt+0233) is Windows-1252, without (Alt+130) the OEM code page 437.
public enum AltCodePage {
    /// The character for a decimal Alt code, or nil for codes outside 0–255 or undefined in Windows-1252.
    public static func character(digits: [UInt8]) -> Unicode.Scalar? {
        guard !digits.isEmpty, digits.count <= 4 else { return nil }
        var value = 0
        for digit in digits { value = value * 10 + Int(digit) }
        guard value <= 255 else { return nil }
        let code = UInt8(value)
        return digits.first == 0 ? windows1252(code) : cp437(code)
    }

    public static func windows1252(_ code: UInt8) -> Unicode.Scalar? {
        guard code >= 0x80 && code <= 0x9F else { return Unicode.Scalar(code) }
        let value = windows1252High[Int(code - 0x80)]
        return value == 0 ? nil : Unicode.Scalar(value)
    }

    public static func cp437(_ code: UInt8) -> Unicode.Scalar? {
        // Below 0x80 the control range is kept as control characters (Alt+29 is GS, a GS1 separator).
        guard code >= 0x80 else { return Unicode.Scalar(code) }
        return cp437High[Int(code - 0x80)]
    }

    /// 0x80–0x9F of Windows-1252 (0 = undefined).
    private static let windows1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    /// 0x80–0xFF of code page 437.
    private static let cp437High: [Unicode.Scalar] = Array(
        ("ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀"
            + "αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}").unicodeScalars)
}
