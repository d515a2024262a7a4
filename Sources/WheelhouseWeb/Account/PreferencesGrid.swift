import WheelhouseCore

/// The grid of notification kinds × channels on /account/notifications: one form, one checkbox
/// per editable cell named `<channel>:<kind>` (e.g. `email:member.joined`), a hidden `kinds`
/// listing the kinds this form edits (so a kind added after the page was loaded keeps its
/// setting), and the version it was loaded with. Locked kinds show disabled checked boxes and
/// the reason, and are never listed in `kinds`.
struct PreferencesGrid {
    enum Field: String, CaseIterable { case csrf = "_csrf", version, kinds }

    static let staleMessage =
        "Your notification settings were changed in another tab or window after this page was loaded. "
        + "The boxes below are as you set them here: save again to replace that change, or reload the page to see it."

    /// What the boxes show: the stored choices, or the ones sent back with a refused form.
    var chosen: [NotificationKind: Set<NotificationChannel>]
    var version: Int
    /// Open the disclosure (a refused form, so its errors are next to it).
    var open = false

    init(_ stored: NotificationPreferences) {
        chosen = Dictionary(uniqueKeysWithValues: NotificationKind.allCases.map { ($0, stored.channels($0)) })
        version = stored.version
    }

    static func fieldName(_ channel: NotificationChannel, _ kind: NotificationKind) -> String { "\(channel.rawValue):\(kind.rawValue)" }

    /// The kinds a form can edit: every kind not locked, in catalog order.
    static var editable: [NotificationKind] { NotificationKind.allCases.filter { !$0.locked } }

    var value: TemplateValue {
        let groups: [TemplateValue] = NotificationGroup.allCases.compactMap { group in
            let kinds = NotificationKind.allCases.filter { $0.spec.group == group }
            guard !kinds.isEmpty else { return nil }  // no row for a feature that does not exist yet
            var object: TemplateObject = ["label": .text(group.label), "rows": .list(kinds.map(row))]
            object["lockedReason"] = group.lockedReason.map(TemplateValue.text) ?? .flag(false)
            return .object(object)
        }
        return .object([
            "action": .text(Route.account(.savePreferences).path), "version": .number(version),
            "kinds": .text(Self.editable.map(\.rawValue).joined(separator: " ")),
            "names": FieldNames.of(Field.self), "groups": .list(groups),
            "channels": .list(NotificationChannel.allCases.map { .text($0.label) }), "open": .flag(open),
        ])
    }

    private func row(_ kind: NotificationKind) -> TemplateValue {
        let cells: [TemplateValue] = NotificationChannel.allCases.map { channel in
            let name = Self.fieldName(channel, kind)
            guard kind.spec.offered.contains(channel) else {
                return .object(["absent": .text("Not sent \(channel == .inApp ? "in the app" : "by email")")])
            }
            return .object([
                "name": .text(name), "id": .text("pref-" + name.replacingOccurrences(of: ":", with: "-")),
                "label": .text("\(channel.label): \(kind.spec.label)"),
                "checked": .flag(kind.locked || chosen[kind, default: []].contains(channel)), "locked": .flag(kind.locked),
            ])
        }
        return .object(["label": .text(kind.spec.label), "locked": .flag(kind.locked), "cells": .list(cells)])
    }

    /// Reads a posted grid: the choices for the kinds it lists, and every problem with it (an
    /// unknown field, kind or channel; a box for a kind the form does not list). Locked kinds'
    /// boxes are ignored (they are on whatever is sent); listing one is refused by the domain.
    static func read(_ form: FormData) -> (choices: [NotificationKind: Set<NotificationChannel>], version: Int, errors: FieldErrors) {
        var reader = FormReader<Field>(form)
        // The cells are fields too: unknown names are found below, against the catalog.
        reader.errors = FieldErrors()
        let version = reader.version(.version)
        let listedText = reader.text(.kinds, label: "Kinds")
        var errors = reader.errors
        var choices: [NotificationKind: Set<NotificationChannel>] = [:]
        var unknownKinds: [String] = []
        for word in listedText.split(separator: " ") {
            if let kind = NotificationKind(rawValue: String(word)) { choices[kind] = [] } else { unknownKinds.append(String(word)) }
        }
        if form.fields[Field.kinds.rawValue] == nil { errors.addForm("This form is missing the list of kinds it shows: reload the page.") }
        var unknown: [String] = []
        var notListed: [String] = []
        let fixed = Set(Field.allCases.map(\.rawValue))
        for name in Set(form.names).subtracting(fixed).sorted() {
            let parts = name.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let channel = NotificationChannel(rawValue: parts[0]), let kind = NotificationKind(rawValue: parts[1])
            else {
                unknown.append(name)
                continue
            }
            if kind.locked || !kind.spec.offered.contains(channel) { continue }
            if choices[kind] == nil { notListed.append(kind.spec.label) } else { choices[kind]!.insert(channel) }
        }
        if let message = FormReader<Field>.unknownFieldsMessage(unknown) { errors.addForm(message) }
        if !unknownKinds.isEmpty {
            let shown = unknownKinds.prefix(3).map { "“\(TextRules.displayable(String($0.prefix(40))))”" }.joined(separator: ", ")
            errors.addForm("Not a kind of notification: \(shown). Nothing was saved.")
        }
        if !notListed.isEmpty {
            errors.addForm("These boxes are not on this form: \(notListed.joined(separator: ", ")). Nothing was saved.")
        }
        return (choices, version, errors)
    }
}
