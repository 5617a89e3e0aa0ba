#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// posix_spawn's opaque types are pointers on Darwin and structs on Linux; these give an empty
// one on either, for posix_spawn_file_actions_init and posix_spawnattr_init to fill.
#if canImport(Darwin)
  public typealias SpawnFileActions = posix_spawn_file_actions_t?
  public typealias SpawnAttributes = posix_spawnattr_t?
  public func emptySpawnFileActions() -> SpawnFileActions { nil }
  public func emptySpawnAttributes() -> SpawnAttributes { nil }
#else
  public typealias SpawnFileActions = posix_spawn_file_actions_t
  public typealias SpawnAttributes = posix_spawnattr_t
  public func emptySpawnFileActions() -> SpawnFileActions { posix_spawn_file_actions_t() }
  public func emptySpawnAttributes() -> SpawnAttributes { posix_spawnattr_t() }
#endif
