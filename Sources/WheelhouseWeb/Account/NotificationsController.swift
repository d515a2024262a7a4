import Foundation
import WheelhouseCore

/// The in-app inbox: a person's own notifications, whatever organization raised them.
///
/// - `GET /account/notifications` — newest first, `AppDatabase.inboxPageSize` a page,
///   `before=<id>` for older and `after=<id>` for newer ones. An unreadable cursor answers 400
///   with the newest page and a message saying so.
/// - `POST /account/notifications/{id}/read`, `POST /account/notifications/read-all` — CSRF,
///   POST-redirect-GET with a flash, back to the page the button was on (`from`). Another
///   person's id is a 404, exactly like an id that does not exist.
///
/// Marking read is personal, not a change of an organization: no audit entry.
struct NotificationsController {
    let shell: Shell
    let database: AppDatabase

    enum Field: String, CaseIterable { case csrf = "_csrf", from }

    func respond(_ route: AccountRoute, _ visit: Visit) throws -> Response {
        // Posts are checked first: without a session the CSRF check refuses them (403), as below
        // an organization.
        let form = route.method == .post ? try visit.form() : nil
        guard let signedIn = visit.signedIn else {
            return .redirect(to: Route.login(.show).path(query: [("next", visit.request.path)]))
        }
        let userId = signedIn.user.id!
        switch route {
        case .notifications:
            let query = visit.request.queryItems
            return try show(visit, userId: userId, cursor: query["before"].map { ("before", $0) } ?? query["after"].map { ("after", $0) })
        case .markRead(let id):
            let (back, refused) = try destination(form!, visit: visit, userId: userId)
            if let refused { return refused }
            let changed = try database.markNotificationRead(id: id, userId: userId)
            return try shell.redirect(visit, to: back, flash: changed ? "Marked as read." : "That notification was already read.")
        case .markAllRead:
            let (back, refused) = try destination(form!, visit: visit, userId: userId)
            if let refused { return refused }
            let count = try database.markAllNotificationsRead(userId: userId)
            let flash =
                count == 0 ? "There was nothing unread." : "Marked \(count) notification\(count == 1 ? "" : "s") as read."
            return try shell.redirect(visit, to: back, flash: flash)
        case .profile, .updateProfile, .security, .changePassword, .sessions, .endSession, .endOtherSessions, .twoFactor,
            .disableTwoFactor, .preferences, .updatePreferences, .showTutorialAgain, .resetWidgets:
            throw WebError.notFound  // dispatched to their own controllers (WebApp)
        }
    }

    /// The page to go back to, from the form's `from` (`before=<id>` or `after=<id>`, anything
    /// else is the newest page), or the inbox again with a 422 for fields this form does not take.
    private func destination(_ form: FormData, visit: Visit, userId: Int64) throws -> (String, Response?) {
        var reader = FormReader<Field>(form)
        let from = reader.text(.from, label: "Page")
        let inbox = Route.account(.notifications)
        guard reader.errors.isEmpty else {
            return ("", try show(visit, userId: userId, cursor: nil, refused: reader.errors))
        }
        guard let cursor = InboxCursor(from), cursor != .newest else { return (inbox.path, nil) }
        return (inbox.path(query: [cursor.item]), nil)
    }

    private func show(_ visit: Visit, userId: Int64, cursor text: (String, String)?, refused: FieldErrors? = nil) throws -> Response {
        var cursor = InboxCursor.newest
        var problem: String?
        if let (name, value) = text {
            if let parsed = InboxCursor(name + "=" + value) {
                cursor = parsed
            } else {
                problem = "“\(TextRules.displayable(String(value.prefix(40))))” is not a page of your notifications: showing the newest."
            }
        }
        let page: InboxPage
        switch cursor {
        case .newest: page = try database.notifications(userId: userId)
        case .before(let id): page = try database.notifications(userId: userId, before: id)
        case .after(let id): page = try database.notifications(userId: userId, after: id)
        }
        let unread = try database.unreadNotificationCount(userId: userId)
        let layout = try shell.layout(visit, title: "Notifications", unread: unread)
        let values = InboxPageValues(page: page, cursor: cursor, unread: unread, now: database.now(), problem: problem, errors: refused)
        return shell.render(.accountNotifications, values, layout: layout, status: refused != nil ? 422 : problem != nil ? 400 : 200)
    }
}

/// Where a page of the inbox starts, as the pager and the forms' `from` field write it.
enum InboxCursor: Equatable {
    case newest, before(Int64), after(Int64)

    /// `before=<id>` or `after=<id>` with a positive id; "" is the newest page; nil for anything else.
    init?(_ text: String) {
        if text.isEmpty { self = .newest; return }
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let id = Int64(parts[1]), id > 0, String(id) == parts[1] else { return nil }
        switch parts[0] {
        case "before": self = .before(id)
        case "after": self = .after(id)
        default: return nil
        }
    }

    var item: (String, String) {
        switch self {
        case .newest: ("", "")
        case .before(let id): ("before", String(id))
        case .after(let id): ("after", String(id))
        }
    }

    /// The `from` field's value: the same text `init?(_:)` reads.
    var text: String { self == .newest ? "" : "\(item.0)=\(item.1)" }
}
