/// One benchmark's samples in milliseconds; the bench reports the median, p99 and max, of
/// the wall clock and of the thread's CPU time.
struct Measurement {
  var name: String
  var samples: [Double] = []
  /// The same samples' CPU time: wall time minus what other processes took from the thread.
  var cpuSamples: [Double] = []

  var cpu: Measurement { Measurement(name: name, samples: cpuSamples) }

  var sorted: [Double] { samples.sorted() }
  var median: Double { percentile(50) }
  var p99: Double { percentile(99) }
  var max: Double { sorted.last ?? .nan }

  func percentile(_ p: Double) -> Double {
    let values = sorted
    guard !values.isEmpty else { return .nan }
    let rank = Int((p / 100 * Double(values.count - 1)).rounded())
    return values[Swift.min(values.count - 1, Swift.max(0, rank))]
  }
}
