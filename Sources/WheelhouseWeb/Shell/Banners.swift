import WheelhouseCore

/// Recovery and call-to-action banners shown above every settings page of an organization
/// (PRODUCT.md §5). Each source decides for itself whether this viewer should see it.
extension Shell {
    func orgBanners(_ visit: Visit, access: OrgAccess) throws -> [TemplateObject] {
        var banners: [TemplateObject] = []
        if let purgeAt = access.org.purgeAt {
            var banner: TemplateObject = [
                "kind": "error", "heading": .text("This organization will be deleted on \(PendingDeletionWords.date(purgeAt))."),
                "text": "Nothing in it can be changed until then. Its data can still be read and exported.",
            ]
            if access.allows(.deleteOrganization) {
                banner.add(
                    "action",
                    .object(["label": "Cancel deletion", "href": .text(Route.org(access.org.key, .compliance(.show)).path + "#delete")]))
            }
            banners.append(banner)
        }
        if let stats = visit.orgView?.stats, stats.isSolo, access.org.purgeAt == nil, access.allows(.manageMembers) {
            banners.append([
                "kind": "invite", "heading": "You are the only member.",
                "text": "Invite your team to share workspaces, credentials and usage.",
                "action": .object([
                    "label": "Invite team",
                    "href": .text(Route.org(access.org.key, .members(.list)).path(query: [("invite", "1")])),
                ]),
            ])
        }
        return banners + (try paymentFailedBanners(visit, access: access)) + (try creditBanners(visit, access: access))
            + (try planLimitBanners(visit, access: access)) + (try failedProviderBanners(visit, access: access))
    }

    /// `credits low` / `credits exhausted` (SaaS, Owners and Admins), each saying its own cause
    /// (never "credit limit") and linking to the one place that fixes it: Credits.
    func creditBanners(_ visit: Visit, access: OrgAccess) throws -> [TemplateObject] {
        guard config.mode == .saas, access.allows(.viewBilling), access.org.purgeAt == nil else { return [] }
        guard let status = try visit.orgView?.credits ?? (database.billingEnabled ? database.creditStatus(orgId: access.org.id!) : nil),
            let alert = status.alert
        else { return [] }
        let currency = config.currency
        let balance = status.balance.balanceMicros
        let (heading, text): (String, String)
        switch alert {
        case .low(let threshold):
            heading = "AI credits are low."
            text =
                "The balance is \(currency.format(micros: balance, withCode: true)), below your warning threshold of "
                + "\(currency.format(micros: threshold, withCode: true)). Paid AI usage pauses when it reaches zero."
        case .exhausted(let never):
            heading = never ? "This organization has no AI credits." : "AI credits are used up."
            let owed =
                balance < 0 ? " You owe \(currency.format(micros: -balance, withCode: true)): it is settled by your next purchase." : ""
            text = "Paid AI usage is paused; models on your own provider keys (BYOK) still work.\(owed)"
        }
        // A low balance warns; an organization that never had credits is told how to start (info),
        // not alarmed; credits that ran out are an error.
        let kind: TemplateValue =
            switch alert {
            case .low: "warning"
            case .exhausted(let never): never ? "info" : "error"
            }
        let (label, target): (String, BillingRoute) =
            if case .exhausted(true) = alert { ("Buy credits", .buyCredits) } else { ("Open Credits", .credits) }
        return [
            [
                "kind": kind, "heading": .text(heading), "text": .text(text),
                "action": .object(["label": .text(label), "href": .text(Route.org(access.org.key, .billing(target)).path)]),
            ]
        ]
    }

    /// A banner when providers failed their last connection test, for those who can fix them.
    func failedProviderBanners(_ visit: Visit, access: OrgAccess) throws -> [TemplateObject] {
        guard access.allows(.manageOrgCredentials) else { return [] }
        let failed = try visit.orgView.map(\.failedProviders) ?? database.failedProviders(orgId: access.org.id!)
        // One banner however many failed, so the page itself stays in view.
        guard let first = failed.first else { return [] }
        let said = first.error.hasSuffix(".") || first.error.hasSuffix("…") ? first.error : first.error + "."
        let (heading, text) =
            failed.count == 1
            ? (
                "\(first.name) failed its last connection test.",
                "Result: \(said) Models that rely on the organization’s key are not ready."
            )
            : (
                "\(failed.count) providers failed their last connection test.",
                "\(failed.map(\.name).joined(separator: ", ")). Models that rely on those keys are not ready."
            )
        return [
            [
                "kind": "error", "heading": .text(heading), "text": .text(text),
                "action": .object([
                    "href": .text(Route.org(access.org.key, .providers(.list)).path),
                    "label": "Open Providers",
                ]),
            ]
        ]
    }

    /// `payment failed` (SaaS, Owners and Admins): a renewal was declined and the subscription is
    /// past due. It says so — never "credit limit" — with the retry dates and the one place that
    /// fixes it: the card.
    func paymentFailedBanners(_ visit: Visit, access: OrgAccess) throws -> [TemplateObject] {
        guard config.mode == .saas, database.billingEnabled, access.allows(.viewBilling), access.org.purgeAt == nil,
            let due = try (visit.orgView?.plan != nil ? visit.orgView?.subscription : database.subscriptionState(orgId: access.org.id!))?
                .pastDue
        else { return [] }
        let amount = due.amountMinor.map { " of \(config.currency.format(minor: $0, withCode: true))" } ?? ""
        return [
            [
                "kind": "error", "heading": .text("The plan’s payment\(amount) failed."),
                "text": .text(
                    "\(due.reason) Paid AI usage is paused until it is paid (models on your own provider keys still work). It is tried again on \(PendingDeletionWords.date(due.nextRetryAt)); if every try fails, the "
                        + "organization moves to the Free plan on \(PendingDeletionWords.date(due.movesToFreeAt)) (its data is kept)."),
                "action": .object([
                    "label": .text(access.allows(.manageBilling) ? "Update the card" : "Open Payment method"),
                    "href": .text(Route.org(access.org.key, .billing(.paymentMethod)).path),
                ]),
            ]
        ]
    }

    /// `plan limit reached` (SaaS, Owners and Admins): the meters at or over the plan's limit,
    /// each with what it blocks, and Upgrade.
    func planLimitBanners(_ visit: Visit, access: OrgAccess) throws -> [TemplateObject] {
        guard config.mode == .saas, access.allows(.viewBilling), access.org.purgeAt == nil else { return [] }
        let status = try visit.orgView?.plan ?? database.planStatus(org: access.org)
        let reached = status.meters.filter(\.reached)
        guard !reached.isEmpty else { return [] }
        let sentences = reached.map { meter -> String in
            switch meter.kind {
            case .runs:
                "This month’s \(meter.limit) workflow runs are used up: new runs are refused until \(meter.resetsOn.map(\.description) ?? "next month")."
            case .seats: "All \(meter.limit) seats are taken (\(meter.used) with pending invitations): new invitations are refused."
            case .sharedWorkspaces: "\(meter.used) of \(meter.limit) shared workspaces exist: no new shared workspace can be created."
            case .agents: "\(meter.used) of \(meter.limit) agents exist: no new agent can be added."
            }
        }
        let top = Plan.catalog.last { $0.selfServe }
        let canUpgrade = access.allows(.manageBilling) && status.plan.id != top?.id
        return [
            [
                "kind": "warning", "heading": .text("The \(status.plan.name) plan’s limit is reached."),
                "text": .text(sentences.joined(separator: " ")),
                "action": .object([
                    "label": .text(canUpgrade ? "Upgrade the plan" : "See the plan"),
                    "href": .text(Route.org(access.org.key, .billing(.show)).path),
                ]),
            ]
        ]
    }
}
