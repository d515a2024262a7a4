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
    let app: WebApp

    /// The pages below the tab, parsed from the path's remaining segments.
    enum Page: Equatable {
        case invite, leave, transfer, export
        case role(Int64), remove(Int64)
        case resend(Int64), revoke(Int64)

        init?(_ rest: [String]) {
            switch rest {
            case ["invite"]: self = .invite
            case ["export.csv"]: self = .export
            case ["leave"]: self = .leave
            case ["transfer"]: self = .transfer
            case let s where s.count == 2 && Int64(s[0]) != nil && s[1] == "role": self = .role(Int64(s[0])!)
            case let s where s.count == 2 && Int64(s[0]) != nil && s[1] == "remove": self = .remove(Int64(s[0])!)
            case let s where s.count == 3 && s[0] == "invitations" && Int64(s[1]) != nil && s[2] == "resend": self = .resend(Int64(s[1])!)
            case let s where s.count == 3 && s[0] == "invitations" && Int64(s[1]) != nil && s[2] == "revoke": self = .revoke(Int64(s[1])!)
            default: return nil
            }
        }

        var segments: [String] {
            switch self {
            case .invite: ["invite"]
            case .export: ["export.csv"]
            case .leave: ["leave"]
            case .transfer: ["transfer"]
            case .role(let id): [String(id), "role"]
            case .remove(let id): [String(id), "remove"]
            case .resend(let id): ["invitations", String(id), "resend"]
            case .revoke(let id): ["invitations", String(id), "revoke"]
            }
        }
    }

    enum InviteField: String, CaseIterable {
        case csrf = "_csrf", emails, role, message
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
        if let role = Role(rawValue: roleText) { problems.inviteRole = role } else {
            reader.errors.add(InviteField.role.rawValue, "Choose Admin or Member.")
        }
        if problems.inviteEmails.utf8.count > 20_000 {
            reader.errors.add(InviteField.emails.rawValue, "That is more text than 50 addresses need.")
        }
        do {
            try reader.errors.throwIfAny()
            let outcome = try app.database.invite(orgKey: access.org.key, addresses: AppDatabase.inviteAddresses(problems.inviteEmails),
                                                  role: problems.inviteRole, message: problems.inviteMessage, by: visit.actor)
            if outcome.refused.isEmpty {
                let message = outcome.invited.count == 1 ? "Invitation sent to \(outcome.invited[0])."
                    : "\(outcome.invited.count) invitations sent."
                return try app.redirect(visit, to: Route.org(access.org.key, .settings(.members)), flash: message)
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
        }
    }

    func render(_ visit: Visit, access: OrgAccess, problems: Problems, status: Int) throws -> Response {
        let query = Self.listQuery(visit.request)
        let page = try app.database.membersPage(orgId: access.org.id!, query)
        let me = visit.signedIn!.user.id!
        let canManage = access.allows(.manageMembers)
        let base = Route.org(access.org.key, .settings(.members)).path
        // Row forms post back with the list's search, sort and page, so a refusal re-renders the
        // same rows with the message beside the one that caused it.
        let suffix = Self.listSuffix(query)
        var context = try app.layout(visit, title: "Members · \(access.org.displayName)", access: access, tab: .members)
        context["canManage"] = canManage
        context["isOwner"] = access.role == .owner
        context["stats"] = ["active": .number(page.counts.active), "pending": .number(page.counts.pending),
                            "total": .number(page.counts.total), "limit": .number(access.org.memberLimit),
                            "full": .flag(page.counts.total >= access.org.memberLimit)] as TemplateObject
        context["search"] = ["q": .text(TextRules.displayable(query.search)), "byName": .flag(query.sort == .name), "byRole": .flag(query.sort == .role),
                             "matching": .number(page.matching)] as TemplateObject
        // An invitation link is this prefix and the token (the route prints the token last).
        let links = app.config.baseURL + Route.invitation("").path
        context["rows"] = TemplateValue.list(page.entries.map { entry in
            .object(row(entry, me: me, access: access, canManage: canManage, base: base, suffix: suffix, links: links, problems: problems))
        })
        if page.entries.isEmpty {
            context["empty"] = query.page > page.pageCount ? "Page \(query.page) is past the end: there \(page.pageCount == 1 ? "is" : "are") \(Plural.count(page.pageCount, "page"))."
                : query.search.isEmpty ? "Nobody here yet." : "Nobody matches “\(TextRules.displayable(query.search))”."
        }
        if page.pageCount > 1 {
            // Next and Previous name the row next to the page they lead to: an index range
            // however deep (a page number alone skips rows; a list past its end has no row to name).
            let q = query.search.isEmpty ? "" : URLEncodedForm.encode(query.search)
            func link(_ n: Int, _ start: MembersQuery.Start) -> String {
                base + "?" + (["q=" + q, "sort=" + query.sort.rawValue, "page=\(max(1, n))"]
                              + [start.parameter].compactMap { $0 }).joined(separator: "&")
            }
            var pager: TemplateObject = ["page": .number(page.page), "pages": .number(page.pageCount), "label": "Pages"]
            if page.hasPrevious { pager["previous"] = link(page.page - 1, page.entries.first.map { .before($0.row) } ?? .offset) }
            if page.hasNext, let last = page.entries.last { pager["next"] = link(page.page + 1, .after(last.row)) }
            context["pager"] = pager
        }
        if canManage {
            context["invite"] = [
                "action": .text(base + "/invite"), "emails": .text(TextRules.displayable(problems.inviteEmails)),
                "asAdmin": .flag(problems.inviteRole == .admin),
                "message": .object(FieldView(name: InviteField.message.rawValue, label: "Personal message (optional)",
                                             value: problems.inviteMessage, type: "textarea", errors: problems.inviteErrors,
                                             hint: "Plain text added to the email, at most \(InvitationRules.maxMessageLength) characters.",
                                             maxLength: InvitationRules.maxMessageLength).context),
                "errors": .object(problems.inviteErrors.fieldContext(InviteField.emails.rawValue) ?? [:]),
                "invalid": .flag(!problems.inviteErrors.messages(for: InviteField.emails.rawValue).isEmpty),
                "formErrors": .object(problems.inviteErrors.formContext ?? [:]),
                "hasFormErrors": .flag(!problems.inviteErrors.form.isEmpty),
                "roleErrors": .object(problems.inviteErrors.fieldContext(InviteField.role.rawValue) ?? [:]),
                "roleInvalid": .flag(!problems.inviteErrors.messages(for: InviteField.role.rawValue).isEmpty),
                // With errors the page's error summary takes the focus (only one autofocus per page).
                "focus": .flag(visit.request.queryItems["invite"] != nil && problems.inviteErrors.isEmpty),
            ] as TemplateObject
            if !problems.invited.isEmpty { context["invited"] = problems.invited.joined(separator: ", ") }
            context["errorItems"] = ErrorSummary.items(problems.inviteErrors)
            context["exportHref"] = base + "/export.csv"
        }
        if access.role == .owner {
            let others = page.entries.filter { $0.userId != nil && $0.userId != me }
            var transfer: TemplateObject = ["action": .text(base + "/transfer"),
                                   "people": .list(others.map { .object(["id": .number(Int($0.userId!)), "name": .text($0.name),
                                                                          "email": .text($0.email),
                                                                          "selected": .flag($0.userId == problems.transferTo)]) })]
            transfer["error"] = problems.controls["transfer"]
            transfer["errorId"] = "transfer-confirm"
            context["transfer"] = transfer
        }
        if !problems.summary.isEmpty {
            context["errorItems"] = TemplateValue.list(problems.summary.map { .object(["text": .text($0)]) })
        }
        var leave: TemplateObject = ["action": .text(base + "/leave")]
        leave["error"] = problems.controls["leave"]
        leave["errorId"] = "problem-leave"
        context["leave"] = leave
        return app.page("settings/members", context, status: status)
    }

    /// The list the request asks for: `?q=` (at most 100 characters), `sort=name|role`, `page=`,
    /// `after=`/`before=` a row (`u12`, `i34`: see `render`'s pager).
    static func listQuery(_ request: Request) -> MembersQuery {
        let items = request.queryItems
        return MembersQuery(search: String((items["q"] ?? "").prefix(100)),
                            sort: MembersQuery.Sort(rawValue: items["sort"] ?? "") ?? .name,
                            page: Int(items["page"] ?? "") ?? 1,
                            start: MembersQuery.Start(after: items["after"], before: items["before"]))
    }

    /// `?q=…&sort=…&page=…` for the list as shown, or "" for the default list.
    static func listSuffix(_ query: MembersQuery) -> String {
        var items: [String] = []
        if !query.search.isEmpty { items.append("q=" + URLEncodedForm.encode(query.search)) }
        if query.sort != .name { items.append("sort=" + query.sort.rawValue) }
        if query.page > 1 { items.append("page=\(query.page)") }
        if let start = query.start.parameter { items.append(start) }
        return items.isEmpty ? "" : "?" + items.joined(separator: "&")
    }

    /// One row of the list. Built with `add` and without work for what the row does not show
    /// (an error id without an error): a page holds up to 50 rows.
    private func row(_ entry: MemberEntry, me: Int64, access: OrgAccess, canManage: Bool, base: String, suffix: String, links: String,
                     problems: Problems) -> TemplateObject {
        var row: TemplateObject = [
            "name": .text(entry.name), "email": .text(entry.email), "role": .text(entry.role.label),
            "roleClass": .text(entry.role.rawValue), "status": .text(entry.status.title),
            "statusClass": .text(entry.status.rawValue), "since": .text(Dates.day(entry.since)),
            "sinceISO": .text(Dates.iso(entry.since)), "version": .number(entry.version),
            "lastActive": .text(entry.lastActive.map(Dates.day) ?? "—"),
            "isMe": .flag(entry.userId == me), "isInvitation": .flag(entry.invitationId != nil),
        ]
        func problem(_ control: @autoclosure () -> String) {
            guard !problems.controls.isEmpty else { return }
            let control = control()
            guard let error = problems.controls[control] else { return }
            row.add("error", .text(error))
            row.add("errorId", .text("problem-\(control)"))
        }
        if let userId = entry.userId {
            problem("member-\(userId)")
            let manageable = canManage && userId != me && (access.role == .owner || entry.role != .owner)
            if manageable {
                let id = String(userId)
                row.add("manage", .object(["roleAction": .text(.joining(base, "/", id, "/role", suffix)),
                                           "removeAction": .text(.joining(base, "/", id, "/remove", suffix)),
                                           "id": .number(Int(userId)),
                                           "roles": .list(Role.allCases.filter { access.role == .owner || $0 != .owner }.map { role in
                                               .object(["value": .text(role.rawValue), "label": .text(role.title),
                                                        "selected": .flag(role == entry.role)])
                                           })]))
            }
        } else if let invitationId = entry.invitationId {
            problem("invitation-\(invitationId)")
            if let delivery = deliveryText(entry) {
                row.add("delivery", .text(delivery))
                row.add("deliveryFailed", .flag(entry.delivery == "failed" || entry.deliveryError != nil))
            }
            if canManage, let token = entry.linkToken {
                let id = String(invitationId)
                row.add("invitation", .object(["id": .number(Int(invitationId)),
                                               "resendAction": .text(.joining(base, "/invitations/", id, "/resend", suffix)),
                                               "revokeAction": .text(.joining(base, "/invitations/", id, "/revoke", suffix)),
                                               "link": .text(.joining(links, token)),
                                               "expires": .text(entry.expiresAt.map(Dates.day) ?? "")]))
            }
        }
        return row
    }

    private func deliveryText(_ entry: MemberEntry) -> String? {
        switch entry.delivery {
        case "sent": "Email sent"
        case "failed": "Email failed: \(entry.deliveryError ?? "unknown error"). Copy the link or resend."
        case "queued": entry.deliveryError.map { "Email not sent yet, retrying (\($0))" } ?? "Email queued"
        default: nil
        }
    }
}
