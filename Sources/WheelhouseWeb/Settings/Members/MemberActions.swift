import Foundation
import WheelhouseCore

/// The small forms of the Members list: change role, remove, leave, transfer ownership, resend
/// and revoke an invitation. A refused action comes back as the Members page with the reason next
/// to the control that caused it (422, or 409 for a stale row).
struct MemberActions {
    let shell: Shell
    let database: AppDatabase

    enum Field: String, CaseIterable {
        case csrf = "_csrf", version, role, user, confirm
    }

    /// The line beside a row that changed since the page was loaded (409).
    static let staleMessage = "This row changed since you loaded the page (someone else edited it). Check it and try again."

    func perform(_ page: MembersRoute, _ visit: inout Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        var reader = FormReader<Field>(form)
        let version = Int(reader.text(.version, label: "Version")) ?? -1
        let key = access.org.key
        let actor = visit.actor
        let listed = MembersController.listItems(MembersController.listQuery(visit.request))
        let destination = Route.org(key, .members(.list)).path(query: listed)
        do {
            return try shell.submit(
                visit, stale: Self.staleMessage,
                {
                    try reader.errors.throwIfAny()
                    switch page {
                    case .list, .invite, .export:
                        throw WebError.notFound
                    case .role(let userId):
                        guard let role = Role(rawValue: reader.text(.role, label: "Role")) else {
                            throw DomainError.invalid(single(.role, "Choose Owner, Admin or Member."))
                        }
                        try database.changeRole(orgKey: key, userId: userId, to: role, expectedVersion: version, by: actor)
                        return FormSuccess(path: destination, flash: "Role changed to \(role.title).")
                    case .remove(let userId):
                        try database.removeMember(orgKey: key, userId: userId, expectedVersion: version, by: actor)
                        return FormSuccess(path: destination, flash: "Member removed.")
                    case .leave:
                        try database.leave(orgKey: key, by: actor)
                        return FormSuccess(.home, flash: "You left \(access.org.displayName).")
                    case .transfer:
                        guard let userId = Int64(reader.text(.user, label: "New owner")) else {
                            throw DomainError.invalid(single(.user, "Choose the member who becomes the Owner."))
                        }
                        try database.transferOwnership(
                            orgKey: key, to: userId, confirmation: reader.text(.confirm, label: "Confirmation"),
                            by: actor)
                        return FormSuccess(path: destination, flash: "Ownership transferred. You are now an Admin.")
                    case .resend(let id):
                        let invitation = try database.resendInvitation(orgKey: key, id: id, expectedVersion: version, by: actor)
                        return FormSuccess(
                            path: destination,
                            flash: "Invitation sent again to \(invitation.email), with a new link; the old link no longer works.")
                    case .revoke(let id):
                        try database.revokeInvitation(orgKey: key, id: id, expectedVersion: version, by: actor)
                        return FormSuccess(path: destination, flash: "Invitation revoked; its link no longer works.")
                    }
                },
                refused: { refusal in
                    // A row has room for one line: every message of the refusal, beside the control.
                    let message = (refusal.errors.byField.values.flatMap { $0 } + refusal.errors.form).joined(separator: " ")
                    return try refused(visit, access: access, page: page, message: message, status: refusal.status)
                })
        } catch let rule as MembershipRule {
            var kept = MembersController.Problems()
            if case .transfer = page { kept.transferTo = Int64(reader.text(.user, label: "New owner")) }
            return try refused(visit, access: access, page: page, message: rule.message, status: 422, problems: kept)
        } catch InvitationClosed.alreadyRevoked(let email) {
            // What the person wanted is already so: say it, not "Page not found".
            return try shell.redirect(visit, to: destination, flash: InvitationClosed.alreadyRevoked(email).message)
        } catch let closed as InvitationClosed {
            var kept = MembersController.Problems()
            kept.summary = [closed.message]
            return try refused(visit, access: access, page: page, message: closed.message, status: 409, problems: kept)
        }
    }

    private func single(_ field: Field, _ message: String) -> FieldErrors {
        var errors = FieldErrors()
        errors.add(field.rawValue, message)
        return errors
    }
    private func refused(
        _ visit: Visit, access: OrgAccess, page: MembersRoute, message: String, status: Int,
        problems: MembersController.Problems = MembersController.Problems()
    ) throws -> Response {
        var problems = problems
        let control: String =
            switch page {
            case .role(let id), .remove(let id): "member-\(id)"
            case .resend(let id), .revoke(let id): "invitation-\(id)"
            case .leave: "leave"
            case .transfer: "transfer"
            case .list, .invite, .export: "invite"
            }
        problems.controls[control] = message
        // Re-read: the role may have changed (e.g. after a refused transfer nothing did, but be exact).
        let current = try database.access(orgKey: access.org.key, userId: visit.signedIn!.user.id!)
        return try MembersController(shell: shell, database: database).render(visit, access: current, problems: problems, status: status)
    }
}
