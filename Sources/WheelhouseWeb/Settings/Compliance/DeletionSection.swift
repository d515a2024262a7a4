import Foundation
import WheelhouseCore

/// The Compliance page's "Delete the organization" section: the form that schedules it (the key
/// typed to confirm), or, while it is scheduled, the date and the Cancel form.
struct DeletionSection {
    let org: Organization
    let pending: PendingDeletion?
    /// What a refused form had in the confirmation field, given back as typed.
    let typed: String
    let errors: FieldErrors

    static let names = FieldNames.of(ComplianceController.DeletionField.self)

    var value: TemplateValue {
        var object: TemplateObject = [
            "names": Self.names, "version": .number(org.version), "orgKey": .text(org.key),
            "graceDays": .number(Int(OrgDeletionRules.grace / 86_400)), "typed": .text(typed),
            "scheduleAction": .text(Route.org(org.key, .compliance(.scheduleDeletion)).path),
            "cancelAction": .text(Route.org(org.key, .compliance(.cancelDeletion)).path),
        ]
        if let pending {
            object.add(
                "pending",
                .object([
                    "purgeAt": .text(PendingDeletionWords.date(pending.purgeAt)), "purgeIso": .text(Dates.isoTime(pending.purgeAt)),
                    "requestedBy": .text(pending.requestedBy), "requestedAt": .text(PendingDeletionWords.date(pending.requestedAt)),
                ]))
        }
        if let message = errors.messages(for: ComplianceController.DeletionField.confirm.rawValue).first {
            object.add("confirmError", .object(["error": .text(message), "errorId": "delete-confirm-error"]))
        }
        return .object(object)
    }

    /// The form-level messages (already scheduled, nothing to cancel, stale) for the summary.
    var summaryItems: TemplateValue? {
        errors.form.isEmpty ? nil : ErrorSummary.items(errors)
    }
}
