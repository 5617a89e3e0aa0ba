/// One benchmark's samples in milliseconds; the bench reports the median and p99.
struct Measurement {
  var name: String
  var samples: [Double]

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
