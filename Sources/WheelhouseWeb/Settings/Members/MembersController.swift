import Foundation
import WheelhouseCore

/// The Members tab: the list with its stats, the invite form, and the member and invitation
/// actions (`MemberActions`).
///
/// - `GET  /orgs/{org}/settings/members?q=&sort=name|role&page=` — any member (`viewOrganization`)
/// - `POST /orgs/{org}/settings/members/invite` — Owner, Admin (`manageMembers`)
/// - `POST …/members/{user}/role`, `…/members/{user}/remove` — Owner, Admin (`manageMembers`; rules in `MembershipRule`)
/// - `POST …/members/leave` — any member but the last Owner
/// - `POST …/members/transfer` — Owner (`transferOwnership`), confirmed by typing the org key
/// - `POST …/members/invitations/{id}/resend`, `…/revoke` — Owner, Admin (`manageMembers`)
/// - `GET  …/members/export.csv` — Owner, Admin (`manageMembers`): the list as CSV (`MembersExport`)
struct MembersController {
    let shell: Shell
    let database: AppDatabase

    func respond(_ route: MembersRoute, _ visit: inout Visit, access: OrgAccess) throws -> Response {
        switch route {
        case .list: try show(visit, access: access)
        case .invite: try invite(&visit, access: access)
        case .export: try MembersExport(database: database).export(visit, access: access)
        case .leave, .transfer, .role, .remove, .resend, .revoke:
            try MemberActions(shell: shell, database: database).perform(route, &visit, access: access)
        }
    }

    enum InviteField: String, CaseIterable {
        case csrf = "_csrf", emails, role, message
    }

    /// The list's query: the search form's fields, and what the row forms post back with (`?q=&sort=name|role&page=`).
    enum ListField: String, CaseIterable {
        case q, sort, page, after, before
    }

    /// What the page shows besides the stored rows: the invite form's values and problems, and a
    /// message next to the control of a refused action.
    struct Problems {
        var inviteEmails = ""
        var inviteRole = Role.member
        var inviteMessage = ""
        var inviteErrors = FieldErrors()
        var invited: [String] = []
        /// Keyed by the control: "member-7", "invitation-3", "transfer", "leave".
        var controls: [String: String] = [:]
        /// The member chosen in a refused transfer, shown selected again.
        var transferTo: Int64?
        /// Messages about rows no longer listed, for the error summary alone.
        var summary: [String] = []
    }

    func show(_ visit: Visit, access: OrgAccess) throws -> Response {
        try render(visit, access: access, problems: Problems(), status: 200)
    }

    func invite(_ visit: inout Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.manageMembers)
        var reader = FormReader<InviteField>(form)
        var problems = Problems()
        problems.inviteEmails = reader.text(.emails, label: "Email addresses")
        problems.inviteMessage = reader.text(.message, label: "Personal message").trimmingCharacters(in: .whitespacesAndNewlines)
        let roleText = reader.text(.role, label: "Role")
        if let role = Role(rawValue: roleText) {
            problems.inviteRole = role
        } else {
            reader.errors.add(InviteField.role.rawValue, "Choose Admin or Member.")
        }
        if problems.inviteEmails.utf8.count > 20_000 {
            reader.errors.add(InviteField.emails.rawValue, "That is more text than 50 addresses need.")
        }
        do {
            try reader.errors.throwIfAny()
            let outcome = try database.invite(
                orgKey: access.org.key, addresses: AppDatabase.inviteAddresses(problems.inviteEmails),
                role: problems.inviteRole, message: problems.inviteMessage, enforcePlan: shell.config.mode == .saas, by: visit.actor)
            if outcome.refused.isEmpty {
                let message =
                    outcome.invited.count == 1
                    ? "Invitation sent to \(outcome.invited[0])."
                    : "\(outcome.invited.count) invitations sent."
                return try shell.redirect(visit, to: Route.org(access.org.key, .members(.list)), flash: message)
            }
            // The valid addresses went through; the others come back, each with its reason.
            problems.invited = outcome.invited
            problems.inviteEmails = outcome.refused.map(\.email).joined(separator: "\n")
            for (email, problem) in outcome.refused {
                problems.inviteErrors.add(InviteField.emails.rawValue, "\(TextRules.displayable(email)) \(problem.message).")
            }
            return try render(visit, access: access, problems: problems, status: 422)
        } catch DomainError.invalid(let errors) {
            problems.inviteErrors = errors
            return try render(visit, access: access, problems: problems, status: 422)
        } catch DomainError.pendingDeletion(let purgeAt) {
            problems.inviteErrors.addForm(PendingDeletionWords.refusal(purgeAt))
            return try render(visit, access: access, problems: problems, status: 409)
        }
    }

    func render(_ visit: Visit, access: OrgAccess, problems: Problems, status: Int) throws -> Response {
        let query = Self.listQuery(visit.request)
        let list = try database.membersPage(orgId: access.org.id!, query)
        let layout = try shell.layout(visit, title: "Members · \(access.org.displayName)", access: access, tab: .members)
        let page = MembersListPage(
            access: access, me: visit.signedIn!.user.id!, query: query, page: list, problems: problems,
            inviteRequested: visit.request.queryItems["invite"] != nil, baseURL: shell.config.baseURL)
        return shell.render(.members, page, layout: layout, status: status)
    }

    /// The list the request asks for: `?q=` (at most 100 characters), `sort=name|role`, `page=`,
    /// `after=`/`before=` a row (`u12`, `i34`: see `render`'s pager).
    static func listQuery(_ request: Request) -> MembersQuery {
        let items = request.queryItems
        return MembersQuery(
            search: String((items[ListField.q.rawValue] ?? "").prefix(100)),
            sort: MembersQuery.Sort(rawValue: items[ListField.sort.rawValue] ?? "") ?? .name,
            page: Int(items[ListField.page.rawValue] ?? "") ?? 1,
            start: MembersQuery.Start(after: items[ListField.after.rawValue], before: items[ListField.before.rawValue]))
    }

    /// `q=…&sort=…&page=…` for the list as shown, nothing for the default list.
    static func listItems(_ query: MembersQuery) -> [(String, String)] {
        var items: [(String, String)] = []
        if !query.search.isEmpty { items.append((ListField.q.rawValue, query.search)) }
        if query.sort != .name { items.append((ListField.sort.rawValue, query.sort.rawValue)) }
        if query.page > 1 { items.append((ListField.page.rawValue, "\(query.page)")) }
        return items + startItems(query.start)
    }

    /// `after=u12` or `before=i34`: the row next to the page a pager link leads to.
    static func startItems(_ start: MembersQuery.Start) -> [(String, String)] {
        switch start {
        case .offset: []
        case .after(let row): [(ListField.after.rawValue, row.text)]
        case .before(let row): [(ListField.before.rawValue, row.text)]
        }
    }
}
