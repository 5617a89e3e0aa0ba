import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads)
struct HomeDirectoryTests {
  @Test func homeIsAnAbsoluteHOMEElseTheAccountsFolder() {
    let account = FileManager.default.homeDirectoryForCurrentUser.path
    #expect(HomeDirectory.path(["HOME": "/h"]) == "/h")
    #expect(HomeDirectory.path(["HOME": "relative"]) == account)
    #expect(HomeDirectory.path(["HOME": ""]) == account)
    #expect(HomeDirectory.path([:]) == account)
  }
}
