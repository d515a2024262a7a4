/// `/api/v1/…`: the JSON API. No routes yet: the API keys issue adds its cases here; its errors
/// are already `application/problem+json`.
public enum APIRoute: RouteLeaves {
    public static let patterns: [RoutePattern<Self>] = []
    public var method: HTTPMethod { switch self {} }
    public var segments: [String] { switch self {} }
}
