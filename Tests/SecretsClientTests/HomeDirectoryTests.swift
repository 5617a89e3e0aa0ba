import Foundation
import Testing

@testable import SecretsClient

struct HomeDirectoryTests {
  @Test func homeIsAnAbsoluteHOMEElseTheAccountsFolder() {
    let account = FileManager.default.homeDirectoryForCurrentUser.path
    #expect(HomeDirectory.path(["HOME": "/h"]) == "/h")
    #expect(HomeDirectory.path(["HOME": "relative"]) == account)
    #expect(HomeDirectory.path(["HOME": ""]) == account)
    #expect(HomeDirectory.path([:]) == account)
  }
}
