import Testing

@Suite struct QuantityLimitTests {
  /// Sizes beyond rig's limit are refused where they are written (once they crashed the allocator's sums).
  @Test func yamlQuantitiesHaveLimits() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: huge
      hardware:
        cpu: { hybrid: { performance: 2, efficiency: 0 } }
        memory: 4194304TiB
        os: { distribution: debian, release: bookworm }
      policies: { gpu: { power_limit: 200000W, thermal: { warning: 80C, critical: 1200C, for: 400d } } }
      """,
      """
      rig.yaml:5:11: error: 'hardware.memory' must be between 0 and 1024TiB, not 4194304TiB [invalid-value]
      5 |   memory: 4194304TiB
        |           ^~~~~~~~~~

      rig.yaml:7:33: error: 'policies.gpu.power_limit' must be between 0W and 100000W, not 200000W [invalid-value]
      7 | policies: { gpu: { power_limit: 200000W, thermal: { warning: 80C, critical: 1200C, for: 400d } } }
        |                                 ^~~~~~~

      rig.yaml:7:77: error: 'policies.gpu.thermal.critical' must be between -273C and 1000C, not 1200C [invalid-value]
      7 | policies: { gpu: { power_limit: 200000W, thermal: { warning: 80C, critical: 1200C, for: 400d } } }
        |                                                                             ^~~~~

      rig.yaml:7:89: error: 'policies.gpu.thermal.for' must be between 0s and 52w1d, not 57w1d [invalid-value]
      7 | policies: { gpu: { power_limit: 200000W, thermal: { warning: 80C, critical: 1200C, for: 400d } } }
        |                                                                                         ^~~~

      4 errors

      """)
  }
}
