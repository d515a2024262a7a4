import Foundation
import WheelhouseCore

/// The inbox page's values: the grid of what reaches the person, one page of notifications
/// (unread ones marked, each with its own Mark read button), Mark all read while anything is
/// unread, and the Newer / Older pager.
struct InboxPageValues: PageValues {
    let grid: PreferencesGrid
    let page: InboxPage
    let cursor: InboxCursor
    let unread: Int
    let now: Date
    /// Why the page asked for is not shown (an unreadable cursor): a 400 with the newest page.
    var problem: String?
    /// A refused Mark read form (fields it does not take, 422) or grid (422, or 409 when stale).
    var errors: FieldErrors?

    static let names = FieldNames.of(NotificationsController.Field.self)

    func fill(_ context: inout TemplateObject) {
        var inbox: TemplateObject = [
            "names": Self.names, "from": .text(cursor.text),
            "readAllAction": .text(Route.account(.markAllRead).path),
            "unread": .flag(unread > 0),
            "summary": .text(summary),
        ]
        if let problem { inbox["problem"] = TemplateValue.text(problem) }
        context["inbox"] = inbox
        context["grid"] = grid.value
        if let errors, !errors.isEmpty { context["errorItems"] = ErrorSummary.items(errors) }
        context["rows"] = TemplateValue.list(page.entries.map(row))
        if page.entries.isEmpty { context["empty"] = TemplateValue.flag(true) }
        var pager: TemplateObject = [:]
        let inboxRoute = Route.account(.notifications)
        if page.hasNewer, let first = page.entries.first?.notification.id {
            pager["previous"] = TemplateValue.text(inboxRoute.path(query: [("after", String(first))]))
        }
        if page.hasOlder, let last = page.entries.last?.notification.id {
            pager["next"] = TemplateValue.text(inboxRoute.path(query: [("before", String(last))]))
        }
        if !pager.entries.isEmpty { context["pager"] = TemplateValue.object(pager) }
    }

    private var summary: String {
        switch unread {
        case 0: "Everything is read."
        case 1: "1 unread notification."
        case AppDatabase.unreadCountCap...: "More than \(AppDatabase.unreadCountCap - 1) unread notifications."
        default: "\(unread) unread notifications."
        }
    }

    private func row(_ entry: InboxEntry) -> TemplateValue {
        let n = entry.notification
        var object: TemplateObject = [
            "id": .text("notification-\(n.id)"), "title": .text(n.title), "unread": .flag(n.readAt == nil),
            "when": .text(Dates.relative(n.createdAt, now: now)), "exact": .text(Dates.dayTime(n.createdAt)),
            "iso": .text(Dates.isoTime(n.createdAt)), "readAction": .text(Route.account(.markRead(n.id)).path),
            "orgLeft": .flag(entry.orgLeft),
        ]
        object["link"] = n.link.map(TemplateValue.text) ?? .flag(false)
        object["org"] = entry.orgName.map(TemplateValue.text) ?? .flag(false)
        return .object(object)
    }
}
