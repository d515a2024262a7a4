import Foundation
import WheelhouseCore

/// Deleting the organization from the Compliance tab (Owner only, `deleteOrganization`).
///
/// - `POST …/compliance/deletion` — `confirm` (the org key, typed exactly), `version`: schedules the
///   deletion 30 days ahead; a wrong key is a 422 beside the field, a stale version a 409.
/// - `POST …/compliance/deletion/cancel` — `version`: cancels it; everything stays as it was.
extension ComplianceController {
    func scheduleDeletion(_ visit: Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.deleteOrganization)
        var reader = FormReader<DeletionField>(form)
        let typed = reader.text(.confirm, label: "Organization key")
        let version = Int(reader.text(.version, label: "Version")) ?? -1
        return try shell.submit(
            visit, stale: "The organization changed while this page was open. Check the page again, then confirm once more.",
            {
                try reader.errors.throwIfAny()
                let purgeAt = try database.scheduleDeletion(
                    orgKey: access.org.key, confirmKey: typed, expectedVersion: version, by: visit.actor)
                return FormSuccess(
                    .org(access.org.key, .compliance(.show)),
                    flash:
                        "\(access.org.displayName) will be deleted on \(PendingDeletionWords.date(purgeAt)). Every Owner was told by email; you can cancel until then."
                )
            },
            refused: { refusal in try show(visit, access: access, refused: nil, deletion: (typed, refusal)) })
    }

    func cancelDeletion(_ visit: Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.deleteOrganization)
        var reader = FormReader<DeletionField>(form)
        let version = Int(reader.text(.version, label: "Version")) ?? -1
        return try shell.submit(
            visit, stale: "The organization changed while this page was open. Check the page again, then cancel once more.",
            {
                try reader.errors.throwIfAny()
                try database.cancelDeletion(orgKey: access.org.key, expectedVersion: version, by: visit.actor)
                return FormSuccess(.org(access.org.key, .compliance(.show)), flash: "The deletion is cancelled. Nothing was removed.")
            },
            refused: { refusal in try show(visit, access: access, refused: nil, deletion: ("", refusal)) })
    }
}
