import Foundation
import WheelhouseCore

/// The Members tab's page: the stats, the list (searched, sorted, paged) with each row's forms,
/// the invite form, transfer and leave; after a refusal with the typed values and the message
/// beside the control that caused it (`MembersController.Problems`).
struct MembersListPage: PageValues {
    typealias InviteField = MembersController.InviteField
    typealias ListField = MembersController.ListField
    typealias Problems = MembersController.Problems

    let access: OrgAccess
    let me: Int64
    let query: MembersQuery
    /// The rows of this page and the counts (the domain's `MembersPage`).
    let page: WheelhouseCore.MembersPage
    let problems: Problems
    /// `?invite=1` (the solo banner's link): the email field takes the focus.
    let inviteRequested: Bool
    /// The console's address, for the invitation links a manager copies.
    let baseURL: String

    static let actionNames = FieldNames.of(MemberActions.Field.self)
    static let inviteNames = FieldNames.of(InviteField.self)
    static let listNames = FieldNames.of(ListField.self)

    var canManage: Bool { access.allows(.manageMembers) }

    private func absoluteURL(_ route: Route) -> String { baseURL + route.path }

    func fill(_ context: inout TemplateObject) {
        let canManage = canManage
        let key = access.org.key
        // Row forms post back with the list's search, sort and page, so a refusal re-renders the
        // same rows with the message beside the one that caused it.
        let listed = Route.Query(MembersController.listItems(query))
        context["canManage"] = canManage
        context["isOwner"] = access.role == .owner
        context["stats"] =
            [
                "active": .number(page.counts.active), "pending": .number(page.counts.pending),
                "total": .number(page.counts.total), "limit": .number(access.org.memberLimit),
                "full": .flag(page.counts.total >= access.org.memberLimit),
            ] as TemplateObject
        context["search"] =
            [
                "q": .text(TextRules.displayable(query.search)), "byName": .flag(query.sort == .name), "byRole": .flag(query.sort == .role),
                "matching": .number(page.matching), "names": Self.listNames,
            ] as TemplateObject
        context["rows"] = TemplateValue.list(
            page.entries.map { entry in
                .object(row(entry, me: me, access: access, canManage: canManage, listed: listed, problems: problems))
            })
        if page.entries.isEmpty {
            context["empty"] =
                query.page > page.pageCount
                ? "Page \(query.page) is past the end: there \(page.pageCount == 1 ? "is" : "are") \(Plural.count(page.pageCount, "page"))."
                : query.search.isEmpty ? "Nobody here yet." : "Nobody matches “\(TextRules.displayable(query.search))”."
        }
        if page.pageCount > 1 {
            // Next and Previous name the row next to the page they lead to: an index range
            // however deep (a page number alone skips rows; a list past its end has no row to name).
            typealias Field = MembersController.ListField
            func link(_ n: Int, _ start: MembersQuery.Start) -> String {
                Route.org(key, .members(.list)).path(
                    query: [
                        (Field.q.rawValue, query.search), (Field.sort.rawValue, query.sort.rawValue),
                        (Field.page.rawValue, "\(max(1, n))"),
                    ] + MembersController.startItems(start))
            }
            var pager: TemplateObject = ["page": .number(page.page), "pages": .number(page.pageCount), "label": "Pages"]
            if page.hasPrevious { pager["previous"] = link(page.page - 1, page.entries.first.map { .before($0.row) } ?? .offset) }
            if page.hasNext, let last = page.entries.last { pager["next"] = link(page.page + 1, .after(last.row)) }
            context["pager"] = pager
        }
        if canManage {
            context["invite"] = invite
            if !problems.invited.isEmpty { context["invited"] = problems.invited.joined(separator: ", ") }
            context["errorItems"] = ErrorSummary.items(problems.inviteErrors)
            context["exportHref"] = Route.org(key, .members(.export)).path
        }
        if access.role == .owner {
            let others = page.entries.filter { $0.userId != nil && $0.userId != me }
            var transfer: TemplateObject = [
                "action": .text(Route.org(key, .members(.transfer)).path),
                "people": .list(
                    others.map {
                        .object([
                            "id": .number(Int($0.userId!)), "name": .text($0.name),
                            "email": .text($0.email),
                            "selected": .flag($0.userId == problems.transferTo),
                        ])
                    }),
            ]
            transfer["error"] = problems.controls["transfer"]
            transfer["errorId"] = "transfer-confirm"
            context["transfer"] = transfer
        }
        if !problems.summary.isEmpty {
            context["errorItems"] = TemplateValue.list(problems.summary.map { .object(["text": .text($0)]) })
        }
        var leave: TemplateObject = ["action": .text(Route.org(key, .members(.leave)).path)]
        leave["error"] = problems.controls["leave"]
        leave["errorId"] = "problem-leave"
        context["leave"] = leave
        if canManage { context["names"] = Self.actionNames }
    }

    /// The invite form, for those who may invite.
    private var invite: TemplateObject {
        let errors = problems.inviteErrors
        return [
            "action": .text(Route.org(access.org.key, .members(.invite)).path),
            "emails": .text(TextRules.displayable(problems.inviteEmails)),
            "asAdmin": .flag(problems.inviteRole == .admin),
            "message": .object(
                FieldView(
                    name: InviteField.message.rawValue, label: "Personal message (optional)",
                    value: problems.inviteMessage, type: "textarea", errors: errors,
                    hint: "Plain text added to the email, at most \(InvitationRules.maxMessageLength) characters.",
                    maxLength: InvitationRules.maxMessageLength
                ).context),
            "errors": .object(errors.fieldContext(InviteField.emails.rawValue) ?? [:]),
            "invalid": .flag(!errors.messages(for: InviteField.emails.rawValue).isEmpty),
            "formErrors": .object(errors.formContext ?? [:]),
            "hasFormErrors": .flag(!errors.form.isEmpty),
            "roleErrors": .object(errors.fieldContext(InviteField.role.rawValue) ?? [:]),
            "roleInvalid": .flag(!errors.messages(for: InviteField.role.rawValue).isEmpty),
            // With errors the page's error summary takes the focus (only one autofocus per page).
            "focus": .flag(inviteRequested && errors.isEmpty),
            "names": Self.inviteNames,
        ]
    }

    /// One row of the list. Built with `add` and without work for what the row does not show
    /// (an error id without an error): a page holds up to 50 rows.
    private func row(
        _ entry: MemberEntry, me: Int64, access: OrgAccess, canManage: Bool, listed: Route.Query,
        problems: Problems
    ) -> TemplateObject {
        func url(_ route: MembersRoute) -> String { Route.org(access.org.key, .members(route)).path(query: listed) }
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
                row.add(
                    "manage",
                    .object([
                        "roleAction": .text(url(.role(userId))),
                        "removeAction": .text(url(.remove(userId))),
                        "id": .number(Int(userId)),
                        "roles": .list(
                            Role.allCases.filter { access.role == .owner || $0 != .owner }.map { role in
                                .object([
                                    "value": .text(role.rawValue), "label": .text(role.title),
                                    "selected": .flag(role == entry.role),
                                ])
                            }),
                    ]))
            }
        } else if let invitationId = entry.invitationId {
            problem("invitation-\(invitationId)")
            if let delivery = deliveryText(entry) {
                row.add("delivery", .text(delivery))
                row.add("deliveryFailed", .flag(entry.delivery == "failed" || entry.deliveryError != nil))
            }
            if canManage, let token = entry.linkToken {
                row.add(
                    "invitation",
                    .object([
                        "id": .number(Int(invitationId)),
                        "resendAction": .text(url(.resend(invitationId))),
                        "revokeAction": .text(url(.revoke(invitationId))),
                        "link": .text(absoluteURL(.invitation(token, .show))),
                        "expires": .text(entry.expiresAt.map(Dates.day) ?? ""),
                    ]))
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
