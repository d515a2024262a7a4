/// One page of a longer list: what a page reads is bounded by its size, however long the list.
public struct Paged<Element: Sendable>: Sendable {
    public var entries: [Element]
    /// Entries over all pages.
    public var total: Int
    /// 1-based; past the end gives no entries.
    public var page: Int
    public var pageSize: Int

    public var pageCount: Int { max(1, (total + pageSize - 1) / pageSize) }

    /// A page number from a query parameter: missing, unreadable or below 1 → 1; bounded above.
    public static func page(_ text: String?) -> Int {
        min(max(1, Int(text ?? "") ?? 1), 1_000_000)
    }

    static func offset(page: Int, pageSize: Int) -> Int { (page - 1) * pageSize }
}
