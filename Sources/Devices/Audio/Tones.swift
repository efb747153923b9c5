import Foundation

/// The two tones, synthesised (no file to lose). They differ in every way a tired ear can tell apart:
/// the chime is short (0.45 s), two soft rising sine notes; the alarm is long (1.5 s), a loud square-ish wail
/// alternating 880 and 660 Hz five times.
public enum Tones {
    public static var chime: WAVAudio {
        note(hz: 1046.5, seconds: 0.18, level: 0.45, harmonics: false) + note(hz: 1568.0, seconds: 0.27, level: 0.45, harmonics: false)
    }

    public static var alarm: WAVAudio {
        var out = WAVAudio(samples: [])
        for _ in 0..<5 {
            out = out + note(hz: 880, seconds: 0.15, level: 0.8, harmonics: true) + note(hz: 660, seconds: 0.15, level: 0.8, harmonics: true)
        }
        return out
    }

    /// A note with a 10 ms attack and an exponential release (no clicks). With harmonics, odd overtones make it
    /// square-like and piercing.
    static func note(hz: Double, seconds: Double, level: Double, harmonics: Bool) -> WAVAudio {
        let rate = Double(WAVAudio.sampleRate)
        let count = Int(seconds * rate)
        return WAVAudio(samples: (0..<count).map { n in
            let t = Double(n) / rate
            let phase = 2 * Double.pi * hz * t
            var wave = sin(phase)
            if harmonics { wave = (wave + sin(3 * phase) / 3 + sin(5 * phase) / 5) / 1.2 }
            let attack = min(1, t / 0.01)
            let release = harmonics ? min(1, (seconds - t) / 0.01) : exp(-3 * t / seconds)
            return WAVAudio.clip(wave * attack * release * level * 32767)
        })
    }
}
