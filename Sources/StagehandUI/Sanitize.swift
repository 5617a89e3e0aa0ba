import StagingModel

/// Untrusted text (secret names, descriptions, tags, labels, server messages) as the screen
/// may draw it: `DisplayText`'s one set of rules, with the terminal's character set.
///
/// Names come from whoever can create secrets in the account, so an ESC sequence or a bidi
/// override in a name must never reach the terminal or disguise one name as another.
public func sanitizeForDisplay(_ text: String, asciiOnly: Bool = false) -> String {
  DisplayText.sanitized(text, asciiOnly: asciiOnly)
}

/// A version id shortened for a popup or a title: made safe as ASCII, as the versions pane
/// shows ids (AWS ids are ASCII, so anything else is shown as code points), then cut to 8
/// characters and "…".
func shortDisplayID(_ id: VersionID) -> String {
  shortID(sanitizeForDisplay(id, asciiOnly: true))
}
