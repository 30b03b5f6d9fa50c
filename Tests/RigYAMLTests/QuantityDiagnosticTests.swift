import Testing

// A case that starts with `\(Machine.base)` (Support.swift) gets lines 1-7 from it; its own lines start at line 8.

/// Quantities: sizes, power and temperatures with their units, and thresholds that must be in order.
@Suite struct QuantityDiagnosticTests {
  @Test func badQuantityDecimalUnit() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GB
        os: { distribution: debian, release: bookworm }

      """,
      """
      rig.yaml:6:13: error: 'GB' is ambiguous: rig takes binary units for sizes [bad-quantity]
      6 |   memory: 32GB
        |             ^~
      help: write '32GiB' if you mean 32GiB; binary units are B, KiB, MiB, GiB and TiB (or Ki, Mi, Gi, Ti)

      1 error

      """)
  }

  @Test func badQuantityNoUnit() {
    expectDiagnostics(
      """
      \(Machine.base)
      policies:
        gpu: { power_limit: 180 }

      """,
      """
      rig.yaml:9:23: error: power '180' has no unit [bad-quantity]
      9 |   gpu: { power_limit: 180 }
        |                       ^~~
      help: write '180W' for 180 watts

      1 error

      """)
  }

  @Test func badQuantityFahrenheit() {
    expectDiagnostics(
      """
      \(Machine.base)
      policies:
        gpu:
          thermal: { warning: 80C, critical: 185F, for: 5m }

      """,
      """
      rig.yaml:10:43: error: temperatures are in degrees Celsius, not Fahrenheit [bad-quantity]
      10 |     thermal: { warning: 80C, critical: 185F, for: 5m }
         |                                           ^
      help: write '85C' for 185F

      1 error

      """)
  }

  @Test func thermalOrder() {
    expectDiagnostics(
      """
      \(Machine.base)
      policies:
        gpu:
          thermal: { warning: 90C, critical: 85C, for: 5m }

      """,
      """
      rig.yaml:10:25: error: thermal warning 90C must be below critical 85C [invalid-value]
      10 |     thermal: { warning: 90C, critical: 85C, for: 5m }
         |                         ^~~
      rig.yaml:10:40: note: critical is written here
      10 |     thermal: { warning: 90C, critical: 85C, for: 5m }
         |                                        ^~~

      1 error

      """)
  }
}
