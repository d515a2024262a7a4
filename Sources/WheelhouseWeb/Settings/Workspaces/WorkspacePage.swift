import WheelhouseCore

/// One workspace: its counts, its access list with the grant forms for those who may manage
/// access, and the manage forms (`WorkspaceManageForm`) of a shared workspace for Owners and Admins.
struct WorkspacePage: PageValues {
    typealias Field = WorkspacesController.Field

    /// The one line beside a grant that changed since the page was loaded (409).
    static let staleGrant = "This grant changed since you loaded the page; nothing was saved. Check it and try again."

    let orgKey: String
    let detail: WorkspaceDetail
    /// Rename, archive, delete; nil when the workspace is private or this person may not manage it.
    let manage: WorkspaceManageForm?
    var errors = FieldErrors()
    /// A refusal shown in the row of the grant it concerns.
    var grantErrors: [Int64: String] = [:]

    static let names = FieldNames.of(Field.self)

    private func url(_ route: WorkspacesRoute) -> String { Route.org(orgKey, .workspaces(route)).path }

    func fill(_ context: inout TemplateObject) {
        let w = detail.card.workspace
        context["workspace"] =
            [
                "name": .text(w.name), "key": .text(w.key), "description": .text(w.description),
                "shared": .flag(w.isShared), "members": .number(detail.card.memberCount),
                "workflows": .number(detail.card.workflowCount), "agents": .number(detail.card.agentCount),
                "back": .text(url(.list)),
                "archived": .flag(w.archivedAt != nil),
            ] as TemplateObject
        if let manage {
            context["manage"] = manage.context
        }
        context["grants"] = TemplateValue.list(
            detail.grants.map { item in
                var row: TemplateObject = [
                    "name": .text(item.subjectName), "detail": .text(item.subjectDetail),
                    "isTeam": .flag(item.grant.teamId != nil), "level": .text(item.grant.level.label),
                    "id": .number(Int(item.grant.id!)), "version": .number(item.grant.version),
                    "canManage": .flag(detail.canManageAccess),
                    "changeAction": .text(url(.change(w.key, item.grant.id!))),
                    "revokeAction": .text(url(.revoke(w.key, item.grant.id!))),
                    "levels": levels(selected: item.grant.level),
                ]
                row["error"] = grantErrors[item.grant.id!]
                return .object(row)
            })
        context["noGrants"] = detail.grants.isEmpty
        if detail.canManageAccess {
            context["grant"] =
                [
                    "action": .text(url(.grant(w.key))), "levels": levels(selected: .read),
                    "people": .list(
                        detail.people.map {
                            .object([
                                "value": .text("user:\($0.userId)"),
                                "label": .text("\($0.name) (\($0.email))"),
                            ])
                        }),
                    "teams": .list(
                        detail.teams.map {
                            .object([
                                "value": .text("team:\($0.id!)"),
                                "label": .text("Team \($0.name)"),
                            ])
                        }),
                    "hasTeams": .flag(!detail.teams.isEmpty),
                ] as TemplateObject
            context["subjectErrors"] = errors.fieldContext(Field.subject.rawValue)
        }
        context["formErrors"] = errors.formContext
        if detail.canManageAccess { context["names"] = Self.names }
    }

    private func levels(selected: AccessLevel) -> TemplateValue {
        .list(
            AccessLevel.allCases.map {
                .object(["value": .text($0.rawValue), "label": .text($0.label), "selected": .flag($0 == selected)])
            })
    }
}
