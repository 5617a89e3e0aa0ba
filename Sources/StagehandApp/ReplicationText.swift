import StagingModel

/// What `versions` says of replication: that a replica is read-only and where its primary is,
/// or a primary's replicas as a table. Nothing for a secret that is neither.
enum ReplicationText {
  static func lines(_ secret: Secret) -> [String] {
    if let primary = secret.primaryRegion {
      return [
        "replica of the secret in \(Output.safe(primary)): read-only here; change it with --region \(Output.safe(primary))"
      ]
    }
    guard !secret.replicationStatus.isEmpty else { return [] }
    var lines = ["", Output.cell("REPLICA REGION", 16) + "  " + Output.cell("STATUS", 10) + "  MESSAGE"]
    for replica in secret.replicationStatus {
      lines.append(
        Output.cell(Output.safe(replica.region), 16) + "  " + Output.cell(Output.safe(replica.status ?? "-"), 10) + "  "
          + Output.safe(replica.statusMessage ?? ""))
    }
    return lines
  }
}
