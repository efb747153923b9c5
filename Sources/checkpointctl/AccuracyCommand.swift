import ArgumentParser
import Foundation
import ScreeningEvaluation

/// The engine against simulated travellers whose temperatures are known: what `make accuracy-check` (and CI)
/// runs to prove the accuracy targets on enough travellers for them to mean something.
struct AccuracyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accuracy",
        abstract: "Screen simulated travellers with known temperatures and report the engine's accuracy.",
        discussion: """
            Targets with the blackbody in view: |bias| ≤ 0.1 °C, 95 % of errors within ±0.3 °C, sensitivity and
            specificity ≥ 99 % (travellers 0.3 °C or more from the threshold), ≥ 95 % measured without a retry, nobody
            read twice. With --check, exit 1 when the normal lane misses one (each is named). The simulator is no
            proof on its own: `make eval-recordings` judges the engine on real recordings.
            """)

    @Option(help: "Travellers per set of conditions.")
    var travellers = 1000

    @Option(help: "Which conditions: normal, or all (hard light, masks, helmets, queues, hot room, …; reported only).")
    var conditions = "normal"

    @Option(help: "Seed of the simulated queue.")
    var seed: UInt64 = 2026

    @Flag(help: "Exit 1 when the normal lane misses a target.")
    var check = false

    func run() throws {
        guard travellers > 0 else { throw ValidationError("--travellers must be at least 1") }
        let sets: [AccuracyConditions]
        switch conditions {
        case "normal": sets = [.normal]
        case "all": sets = AccuracyConditions.all
        default: throw ValidationError("--conditions is normal or all, not '\(conditions)'")
        }
        var missed: [String] = []
        for set in sets {
            let started = Date()
            let report = AccuracyEvaluation.run(set, travellers: travellers, seed: seed)
            print(report.summary)
            print("  (\(String(format: "%.0f", Date().timeIntervalSince(started))) s)\n")
            if set.name == AccuracyConditions.normal.name { missed = report.missedTargets }
        }
        guard check else { return }
        if missed.isEmpty {
            print("accuracy targets met on \(travellers) travellers (normal lane)")
        } else {
            for line in missed { print("MISSED: \(line)") }
            throw ExitCode(1)
        }
    }
}
