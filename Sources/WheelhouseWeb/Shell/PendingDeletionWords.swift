import Foundation
import WheelhouseCore

/// What a page says while its organization waits to be deleted: in the banner on every page and
/// when a change is refused.
enum PendingDeletionWords {
    static func refusal(_ purgeAt: Date) -> String {
        "This organization is scheduled for deletion on \(date(purgeAt)), so nothing in it can be changed. "
            + "An Owner can cancel the deletion on the Compliance tab; until then everything can still be read and exported."
    }

    /// The refusal as a form-level error, for a form that comes back with what was typed.
    static func errors(_ purgeAt: Date) -> FieldErrors {
        var errors = FieldErrors()
        errors.addForm(refusal(purgeAt))
        return errors
    }

    static func date(_ date: Date) -> String { OrgDeletionRules.dateText(date) }
}
