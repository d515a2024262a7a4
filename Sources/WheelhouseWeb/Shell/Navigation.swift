import WheelhouseCore

/// The layout's navigation: the org switcher and the tabs this person may open.
extension Shell {
    /// The tabs shown in the navigation: the rule the tab guard in `WebApp` answers 403 by.
    func visibleTabs(_ access: OrgAccess) -> [SettingsTab] {
        SettingsTab.allCases.filter { $0.isListed(for: access, in: config.mode) }
    }

    /// The org switcher, for people in an organization (nil otherwise): their organizations and
    /// "New organization…"; `current` is the organization of the page, if any.
    func switcher(_ orgs: [OrgSummary], current: OrgAccess?) -> TemplateObject? {
        guard !orgs.isEmpty else { return nil }
        return [
            "orgs": .list(
                orgs.map { org in
                    .object([
                        "name": .text(org.displayName), "href": .text(Route.org(org.key, .root).path),
                        "current": .flag(org.key == current?.org.key), "role": .text(org.role.label),
                    ])
                })
        ]
    }

    /// The overview, then the tabs of `access`'s organization, `tab` marked current (no tab: the
    /// overview): a function of the organization's key, the role and the mode only, so built once
    /// for each and frozen (every page shows it).
    func navigation(_ access: OrgAccess, current tab: SettingsTab?) -> TemplateValue {
        let key = "\(config.mode.rawValue)/\(access.role.rawValue)/\(tab?.rawValue ?? "-")/\(access.org.key)"
        return Self.navigationMemo.value(key) {
            let overview: TemplateValue = .object([
                "title": "Overview", "href": .text(Route.org(access.org.key, .root).path), "current": .flag(tab == nil),
            ])
            return .list(
                [overview]
                    + visibleTabs(access).map { candidate in
                        .object([
                            "title": .text(candidate.title), "href": .text(Route.org(access.org.key, .home(candidate)).path),
                            "current": .flag(candidate == tab),
                        ])
                    })
        }
    }

    /// A few kilobytes an entry.
    static let navigationMemo = FrozenMemo(capacity: 1024)
}
