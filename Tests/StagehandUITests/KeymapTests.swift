import StagehandTestSupport
import StagehandUI
import StagingModel
import Testing

@Suite(.ownThreads) struct KeymapTests {
  let keymap = Keymap.standard

  /// A state in which `context` is the active one.
  func state(for context: KeyContext) -> AppState {
    var state = Fixture.loaded(width: 400, height: 60)
    switch context {
    case .global, .secrets, .anywhere: break
    case .versions: press(&state, .enter)
    case .filter: press(&state, .char("/"))
    case .help: state.popup = .help(scroll: 0)
    case .reveal:
      state.popup = .reveal(
        RevealState(requestID: 1, secretName: "x", versionId: Fixture.current, value: nil, error: nil))
    case .error: state.popup = .error(title: "t", message: "m")
    case .history: state.popup = .history(scroll: 0)
    case .preview:
      let plan = Plan(
        secretName: "x", intent: .rollback, steps: [], before: LabelMap(), after: LabelMap(), notes: [])
      state.popup = .preview(PreviewState(plan: plan, title: "t"))
    case .choice:
      state.popup = .choice(ChoiceState(title: "t", options: ["a", "b"], cursor: 0, purpose: .promotePending))
    case .labelInput:
      state.popup = .labelInput(LabelInputState(versionId: Fixture.current, text: "", error: nil))
    case .committing:
      let plan = Plan(secretName: "x", intent: .rollback, steps: [], before: LabelMap(), after: LabelMap(), notes: [])
      state.popup = .committing(CommitState(plan: plan, requestID: 1, step: 0, of: 1))
    case .valueInput:
      state.popup = .valueInput(ValueInputState(secretName: Fixture.database.name, value: MaskedValue("typed")))
    case .rotation:
      state.popup = .rotationProgress(requestID: 1)
    case .pickChip:
      press(&state, .down, .enter, .down, .char("m"))
    case .carrying:
      press(&state, .enter, .char("m"))
    case .marked:
      press(&state, .char(" "))
    case .labelPreview:
      let plan = Plan(secretName: "x", intent: .rollback, steps: [], before: LabelMap(), after: LabelMap(), notes: [])
      state.popup = .preview(PreviewState(plan: plan, title: "t"))
    case .changeSetProgress:
      state.popup = .changeSetProgress(requestID: 1)
    case .pairPicker:
      state.popup = .pairs(PairPickerState(cursor: 0))
    case .replication:
      state.popup = .replication(requestID: 1)
    case .bulkLabelInput:
      state.popup = .bulkLabelInput(BulkLabelInputState(text: "blue"))
    case .planPathInput:
      let plan = Plan(secretName: "x", intent: .rollback, steps: [], before: LabelMap(), after: LabelMap(), notes: [])
      state.popup = .planPathInput(
        PlanPathInputState(text: "plan.json", source: .single(PreviewState(plan: plan, title: "t"))))
    }
    return state
  }

  @Test func everyBindingDispatchesToItsActionInItsContext() {
    for binding in keymap.bindings {
      for key in binding.keys {
        var state = state(for: binding.context)
        #expect(state.activeContexts.contains(binding.context), "\(binding.context)")
        let resolved = keymap.binding(for: key, in: state)
        #expect(resolved?.action == binding.action, "\(key.name) in \(binding.context)")
        _ = update(&state, .terminal(.key(key)))
        #expect(
          state.lastAction == binding.action,
          "\(key.name) in \(binding.context) dispatched \(String(describing: state.lastAction))")
      }
    }
  }

  @Test func noKeyIsBoundTwiceInOneContext() {
    for context in KeyContext.allCases {
      let keys = keymap.bindings.filter { $0.context == context }.flatMap(\.keys)
      #expect(Set(keys).count == keys.count, "\(context)")
    }
  }

  @Test func hintBarShowsExactlyTheBarBindingsOfTheActiveContexts() {
    for context in KeyContext.allCases where context != .anywhere {
      let state = state(for: context)
      let bar = render(state).text.split(separator: "\n").last.map(String.init) ?? ""
      for binding in keymap.hints(for: state) {
        #expect(bar.contains("\(binding.keyLabel) \(binding.short)"), "\(binding.keyLabel) missing in \(context) bar")
        #expect(binding.showInBar)
        #expect(state.activeContexts.contains(binding.context))
      }
      let hidden = keymap.bindings.filter { !$0.showInBar || !state.activeContexts.contains($0.context) }
      for binding in hidden where !keymap.hints(for: state).contains(where: { $0.short == binding.short }) {
        #expect(!bar.contains("\(binding.keyLabel) \(binding.short)"), "\(binding.keyLabel) shown in \(context) bar")
      }
    }
  }

  @Test func helpScreenListsEveryBinding() {
    var state = Fixture.loaded(width: 400, height: 60)
    press(&state, .char("?"))
    var text = ""
    for scroll in stride(from: 0, to: 400, by: 20) {
      state.popup = .help(scroll: scroll)
      text += render(state).text
    }
    for binding in keymap.bindings {
      #expect(text.contains(binding.keyLabel), "\(binding.keyLabel)")
      #expect(text.contains(String(binding.long.prefix(40))), "\(binding.long)")
    }
  }

  @Test func disabledBindingExplainsWhyInTheStatusLine() {
    var state = Fixture.loaded(config: Fixture.config(readOnly: true))
    press(&state, .enter)
    let effects = press(&state, .char("c"))
    #expect(effects.isEmpty)
    #expect(state.status?.text == "c (current): read-only mode: nothing can be changed")
    #expect(render(state).text.contains("read-only mode"))
  }

  @Test func markdownTableHasARowPerBinding() {
    let table = keymap.markdownTable()
    let rows = table.split(separator: "\n").filter { $0.hasPrefix("| `") }
    #expect(rows.count == keymap.bindings.count)
    #expect(table.contains("| `ctrl+c` | quit |"))
    #expect(table.contains("### Versions pane"))
  }
}
