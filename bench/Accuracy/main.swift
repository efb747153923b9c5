import ScreeningEvaluation

/// `make bench-accuracy`: the screening engine against simulated travellers with known temperatures, per set of
/// conditions. Targets with a reference in view (issue 6): |bias| ≤ 0.1 °C, 95 % of errors within ±0.3 °C,
/// sensitivity and specificity ≥ 99 %, ≥ 95 % measured without a retry in normal conditions.
/// (`checkpointctl accuracy --check`, run by CI, checks the targets on the normal lane.)
let count = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 1000
for conditions in AccuracyConditions.all {
    let report = AccuracyEvaluation.run(conditions, travellers: count, seed: 2026)
    print(report.summary)
    if conditions.reference && !report.missedTargets.isEmpty { print("  short of the targets: " + report.missedTargets.joined(separator: "; ")) }
    print()
}
